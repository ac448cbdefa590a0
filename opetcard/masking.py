"""How a card number or a chip UID may be shown: only the end of it, never the whole."""
from __future__ import annotations

MASK_GROUP = "••••"


def masked_number(last4: str) -> str:
    """``•••• •••• •••• 6566``: a card number as screens and logs show it."""
    return f"{MASK_GROUP} {MASK_GROUP} {MASK_GROUP} {last4}"


def short_masked_number(last4: str) -> str:
    """``•••• 6566`` (a no-break space between): a card number in a line of text."""
    return f"{MASK_GROUP}\u00a0{last4}"


def masked_uid(hex_digits: str) -> str:
    """``UID …E5F6``: a chip UID as screens and logs show it."""
    return "UID …" + hex_digits[-4:].upper()
