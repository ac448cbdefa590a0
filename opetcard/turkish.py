"""Turkish casing and the name-matching key used to check an activation against the holder record.

Python's own casing is wrong for Turkish: ``"i".upper()`` is ``"I"`` (Turkish: ``"İ"``) and
``"I".lower()`` is ``"i"`` (Turkish: ``"ı"``). :func:`turkish_upper` and :func:`turkish_lower`
apply the Turkish pairs i/İ and ı/I and Python's rules for every other letter.

Matching rules (:func:`fold_name`, :func:`names_match`). A name matches when its key equals the
key of the record. The key is built in this order:

1. Compatibility normalisation (NFKC): full-width letters, ligatures and no-break spaces become
   their plain forms.
2. Apostrophes (``'``, ``’``, ``‘`` and the back-tick) are deleted, so ``O'NEIL`` matches ``ONEIL``;
   hyphens and dashes become spaces, so ``YILMAZ-ÖZTÜRK`` matches ``YILMAZ ÖZTÜRK``. Other
   punctuation and digits are kept, so ``M. ALİ`` does not match ``MEHMET ALİ``.
3. Turkish lower case, then Turkish upper case, so that every case pair gives one key (the
   lower-case step is what makes ``ẞ`` and ``ß`` both ``SS``).
4. Decomposition, then every combining mark (Unicode category M) and every invisible format
   character (category Cf: zero-width spaces, soft hyphens, direction marks) is dropped. This
   folds Ç→C, Ğ→G, Ö→O, Ş→S, Ü→U, İ→I and also Â/Î/Û and foreign accents (É→E), so a name typed
   on a phone without Turkish letters (``SAHIN``) matches ``ŞAHİN``. Input may be NFC or NFD:
   ``"I" + U+0307`` is the same as ``"İ"``, and ``"i" + U+0307`` (what Python's ``"İ".lower()``
   produces) is the same as ``"i"``.
5. Runs of whitespace of any kind become one space; leading and trailing whitespace is dropped.

Dotted and dotless i: phones without a Turkish keyboard type ``i``/``I`` for all of i, ı, İ, I,
and some Turkish keyboards offer the wrong one by auto-capitalisation. All four therefore fold
to ``I``. This accepts ``ILKAY`` for ``İLKAY``; the card digits and the birth date still have to
match as well, so the looser name check does not let a stranger activate a card.

Word order, word count and spelling otherwise must agree: ``AYTEKİN ENDER`` does not match
``ENDER AYTEKİN`` and a dropped middle name does not match, because the SMS rule asks for the
name as written on the customer information form.
"""
from __future__ import annotations

import unicodedata

_TO_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_TO_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_COMBINING_DOT_ABOVE = "\u0307"

_APOSTROPHES = "'\u2018\u2019`"
_HYPHENS = "-\u2010\u2012\u2013\u2014\u2015\u2212"
_PUNCTUATION = str.maketrans({**{char: None for char in _APOSTROPHES}, **{char: " " for char in _HYPHENS}})


def _composed(text: str) -> str:
    """NFC, with ``i`` + combining dot above (Python's ``"İ".lower()``) read as plain ``i``."""
    return unicodedata.normalize("NFC", text).replace("i" + _COMBINING_DOT_ABOVE, "i")


def turkish_upper(text: str) -> str:
    """Upper case the Turkish way (i→İ, ı→I); the result is NFC."""
    return unicodedata.normalize("NFC", _composed(text).translate(_TO_UPPER).upper())


def turkish_lower(text: str) -> str:
    """Lower case the Turkish way (I→ı, İ→i); the result is NFC."""
    return unicodedata.normalize("NFC", _composed(text).translate(_TO_LOWER).lower())


def _kept_in_key(char: str) -> bool:
    category = unicodedata.category(char)
    return not category.startswith("M") and category != "Cf"


def fold_name(text: str) -> str:
    """The matching key of a name: Turkish upper case, ASCII-folded, whitespace collapsed.

    See the module docstring for the exact rules.
    """
    plain = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    decomposed = unicodedata.normalize("NFKD", turkish_upper(turkish_lower(plain)))
    stripped = "".join(char for char in decomposed if _kept_in_key(char))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


def names_match(given: str, on_record: str) -> bool:
    """True when both names have the same non-empty key (:func:`fold_name`)."""
    key = fold_name(given)
    return bool(key) and key == fold_name(on_record)
