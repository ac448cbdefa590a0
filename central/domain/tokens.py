"""Device tokens: 256 random bits shown once, stored as a SHA-256 hash.

A fast hash is enough for tokens this long: nobody can guess one back from its hash.
"""
from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "opk_"


def new_token() -> str:
    """A fresh device token (shown once, never stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
