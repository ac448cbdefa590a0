"""The codes of the API's errors (``{"error": {"code": ..., "message": ...}}``).

The service answers with these codes and the kiosk decides what to tell a driver or an
attendant from them; a code is a contract between the two, so it is spelled once, here.
``tests/central/test_error_codes.py`` checks that the service raises no code missing here.
"""
from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Every ``error.code`` the service answers with."""

    # the caller
    UNAUTHORIZED = "unauthorized"  # no device token, or an unknown or revoked one
    FORBIDDEN = "forbidden"  # this kind of device may not do this
    RATE_LIMITED = "rate_limited"
    INVALID_REQUEST = "invalid_request"
    DUPLICATE_KEY = "duplicate_key"  # a JSON body repeating a key in one object
    BODY_TOO_LARGE = "body_too_large"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"  # no such route, or (administration) no such device or attendant
    DATABASE_UNAVAILABLE = "database_unavailable"
    INTERNAL_ERROR = "internal_error"  # the service failed; the request had no effect
    # cards
    MALFORMED_NUMBER = "malformed_number"
    MALFORMED_UID = "malformed_uid"
    UNKNOWN_CARD = "unknown_card"
    CARD_REPLACED = "card_replaced"
    CARD_BLOCKED = "card_blocked"
    CARD_NOT_ACTIVATED = "card_not_activated"
    INSUFFICIENT_POINTS = "insufficient_points"
    # holders, activation and replacement
    NOT_REGISTERED = "not_registered"
    ALREADY_REGISTERED = "already_registered"
    WRONG_NAME = "wrong_name"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"
    SAME_CARD = "same_card"
    NEW_CARD_NOT_BLANK = "new_card_not_blank"  # it has a holder, points or a past
    # attendants
    BAD_ATTENDANT_PIN = "bad_attendant_pin"
    ATTENDANT_LOCKED = "attendant_locked"
    ATTENDANT_REQUIRED = "attendant_required"
    ATTENDANT_SESSION_INVALID = "attendant_session_invalid"
    UNKNOWN_ASSISTANCE_REQUEST = "unknown_assistance_request"
