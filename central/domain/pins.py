"""Attendant PINs, stored as salted scrypt hashes (``scrypt$n$r$p$salt$hash``, hex)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets

PIN_PATTERN = re.compile(r"^\d{4,8}$")
_N, _R, _P = 2**14, 8, 1


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def hash_pin(pin: str) -> str:
    """The stored form of a 4-8 digit PIN."""
    if not PIN_PATTERN.match(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    salt = secrets.token_bytes(16)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${_derive(pin, salt, _N, _R, _P).hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored`` (constant-time comparison)."""
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(_derive(pin, bytes.fromhex(salt), int(n), int(r), int(p)), bytes.fromhex(digest))


@functools.cache
def unknown_attendant_hash() -> str:
    """Checked against for unknown attendant codes, so they cost as much time as a wrong PIN."""
    return hash_pin("00000000")
