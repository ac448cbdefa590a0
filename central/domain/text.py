"""What a name may hold: no character that shows as something else than it is."""
from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
"""Unicode control and format characters (U+202E RIGHT-TO-LEFT OVERRIDE, zero-width joiners, …):
a name holding one can show on an attendant's screen as something else than it is."""


def visible_text(text: str) -> str:
    """``text`` if it holds no Unicode control or format character, else ValueError."""
    if any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in text):
        raise ValueError("must not contain control or format characters")
    return text
