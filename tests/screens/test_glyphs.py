"""Every string a screen can show, in both languages, is drawn by the screens' font: each of its
characters is in the character map of Kivy's default font, regular and bold (fontTools).

The strings: the Turkish catalog (every message id, i.e. the English text, and its Turkish
translation: driver, attendant and technician screens), every string literal of the .kv files
and of the screens' Python modules (docstrings aside), the masks of card numbers and UIDs, and
numbers and times as Babel writes them in each language. The gallery checks what is really on
screen, data included (tests/ui/gallery.py)."""
from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.formatting import format_as_of, format_points
from opetcard.masking import masked_number, masked_uid, short_masked_number
from screens.i18n import LOCALE_DIR
from tests.screens.glyphs import default_font_files, missing_characters

SCREENS_DIR = Path(__file__).resolve().parents[2] / "screens"
_KV_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


def catalog_strings() -> list[str]:
    with (LOCALE_DIR / "tr" / "LC_MESSAGES" / "kiosk.po").open("rb") as source:
        catalog = read_po(source)
    return [text for message in catalog if message.id for text in (message.id, message.string)]


def kv_strings() -> list[str]:
    found = []
    for kv in sorted(SCREENS_DIR.glob("kv/*.kv")):
        for line in kv.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                found.extend(ast.literal_eval(literal) for literal in _KV_STRING.findall(line))
    return found


def python_strings() -> list[str]:
    """String constants of screens/*.py that are not docstrings."""
    found = []
    for source in sorted(SCREENS_DIR.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        found.extend(
            node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        )
    return found


def formatted_strings() -> list[str]:
    moment = dt.datetime(2026, 11, 27, 18, 20, tzinfo=dt.timezone.utc)
    return [masked_number("6566"), short_masked_number("6566"), masked_uid("04a1b2c3d4e5f6")] + [
        text for language in ("tr", "en")
        for text in (format_points(123456789, language), format_points(-5, language), format_as_of(moment, language))
    ]


SOURCES = {"catalog": catalog_strings, "kv": kv_strings, "python": python_strings, "formatted": formatted_strings}


@pytest.mark.parametrize("source", SOURCES)
def test_every_character_the_screens_can_show_is_in_the_font(source: str) -> None:
    fonts = default_font_files()
    strings = SOURCES[source]()
    assert len(strings) > 5
    missing = {text: gaps for text in strings if (gaps := missing_characters(text, fonts, markup=True))}
    assert missing == {}


def test_the_check_finds_a_character_the_font_lacks() -> None:
    """The arrow issue 17 saw as an empty box on the attendant's confirm screen."""
    assert missing_characters("Eski kart •••• 6566 → yeni kart", default_font_files()) == ["U+2192 '→'"]
    assert missing_characters("İıŞşĞğÇçÖöÜü · • … ₺", default_font_files()) == []
