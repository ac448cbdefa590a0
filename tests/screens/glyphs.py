"""Which characters a screen's font cannot draw.

Kivy draws a character its font has no glyph for as an empty box ("tofu"), silently. The
font's character map (its ``cmap`` table, read with fontTools) says which characters it has;
everything a screen shows must be in it. Used by the gallery on every label it shows and by
tests/screens/test_glyphs.py on every string the screens can show.
"""
from __future__ import annotations

import ast
import functools
import re

from fontTools.ttLib import TTFont

_MARKUP = re.compile(r"\[/?(?:b|i|u|s|sub|sup|color|size|font|ref|anchor)(?:=[^\]]*)?\]")
_NOT_DRAWN = frozenset("\n\r\t")


@functools.cache
def character_map(font_file: str) -> frozenset[int]:
    """The code points ``font_file`` has a glyph for."""
    with TTFont(font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def font_file(font_name: str, bold: bool = False) -> str:
    """The file Kivy draws ``font_name`` (a registered name such as "Roboto", or a path) from."""
    from kivy.core.text import LabelBase
    from kivy.resources import resource_find

    registered = LabelBase._fonts.get(font_name)  # (regular, italic, bold, bold italic)
    if registered is not None:
        return registered[2] if bold else registered[0]
    found = resource_find(font_name)
    if found is None:
        raise FileNotFoundError(font_name)
    return found


def default_font_files() -> tuple[str, str]:
    """The regular and bold files of Kivy's default font, which every screen uses."""
    from kivy.config import Config
    from kivy.resources import resource_find

    _name, regular, _italic, bold, _bold_italic = ast.literal_eval(Config.get("kivy", "default_font"))
    return resource_find(regular), resource_find(bold)


def missing_characters(text: str, font_files: tuple[str, ...], markup: bool = False) -> list[str]:
    """The characters of ``text`` (markup tags left out when ``markup``) that one of
    ``font_files`` has no glyph for, each once, as ``U+2192 '→'``."""
    if markup:
        text = _MARKUP.sub("", text)
    missing = []
    for character in dict.fromkeys(text):
        if character in _NOT_DRAWN:
            continue
        if any(ord(character) not in character_map(file) for file in font_files):
            missing.append(f"U+{ord(character):04X} {character!r}")
    return missing
