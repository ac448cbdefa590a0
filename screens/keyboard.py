"""The on-screen keyboard of every typed field: capital Turkish letters or digits, keys never
smaller than a touch target. Attendant mode and "Activate here" both use it; its key rule is
in kv/keyboard.kv, loaded with this module (the first screen that needs it)."""
from __future__ import annotations

from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

KV_FILE = str(Path(__file__).parent / "kv" / "keyboard.kv")

# The Turkish Q keyboard's letter rows. Where twelve keys of the touch-target size do not fit,
# the letters wrap in alphabetical order instead (Q, W and X included for foreign names)
# rather than shrinking the keys.
LETTER_ROWS = ("QWERTYUIOPĞÜ", "ASDFGHJKLŞİ", "ZXCVBNMÖÇ")
ALPHABET = "ABCÇDEFGĞHIİJKLMNOÖPQRSŞTUÜVWXYZ"
DIGIT_ROWS = ("123", "456", "789")


class OnScreenKeyboard(BoxLayout):
    """Capital Turkish letters (every letter of the alphabet, Ç Ğ I İ Ö Ş Ü included) or
    digits; fires ``on_key`` with the character and ``on_erase``. Keys are never narrower than
    ``key_min`` (the touch-target size): rows wrap when the keyboard is narrow."""

    letters = BooleanProperty(True)
    key_min = NumericProperty(dp(60))
    spacing_px = NumericProperty(dp(4))
    __events__ = ("on_key", "on_erase")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(orientation="vertical", **kwargs)
        self._layout: tuple[bool, int] | None = None
        self.bind(letters=self._rebuild, width=self._rebuild, key_min=self._rebuild)

    def on_key(self, key: str) -> None:
        """Default handler."""

    def on_erase(self) -> None:
        """Default handler."""

    def _rows(self, per_row: int) -> list[str]:
        if not self.letters:
            return list(DIGIT_ROWS)
        if per_row >= max(len(row) for row in LETTER_ROWS):
            return list(LETTER_ROWS)
        return [ALPHABET[i : i + per_row] for i in range(0, len(ALPHABET), per_row)]

    def _rebuild(self, *_args: object) -> None:
        spacing = self.spacing_px
        per_row = max(3, int((self.width + spacing) // (self.key_min + spacing)))
        if self._layout == (self.letters, per_row):
            return
        self._layout = (self.letters, per_row)
        self.clear_widgets()
        self.spacing = spacing
        rows = self._rows(per_row)
        widest = max(len(row) for row in rows)
        key_width = max(self.key_min, min(dp(140), (self.width - spacing * (widest - 1)) / widest))
        for row in rows:
            self.add_widget(self._row([self._key(char, key_width) for char in row]))
        self.add_widget(self._row(self._last_row(key_width, widest)))
        self.height = len(self.children) * self.key_min + (len(self.children) - 1) * spacing

    def _last_row(self, key_width: float, widest: int) -> list:
        """As wide as the widest row: ``-``, space and delete for letters; ``0`` and delete for digits."""
        spacing = self.spacing_px
        row_width = widest * key_width + (widest - 1) * spacing
        erase_width = 2 * key_width + spacing
        if not self.letters:
            return [self._key("0", row_width - erase_width - spacing), self._erase_key(erase_width)]
        space_width = row_width - key_width - erase_width - 2 * spacing
        return [self._key("-", key_width), self._key(" ", space_width, label_id="Space"), self._erase_key(erase_width)]

    def _row(self, keys: list) -> AnchorLayout:
        row = BoxLayout(size_hint=(None, None), spacing=self.spacing_px, height=self.key_min)
        for key in keys:
            row.add_widget(key)
        row.width = sum(key.width for key in keys) + self.spacing_px * (len(keys) - 1)
        holder = AnchorLayout(size_hint_y=None, height=self.key_min)
        holder.add_widget(row)
        return holder

    def _key(self, char: str, width: float, label_id: str = "") -> object:
        key = Factory.KeyboardKey(width=width, height=self.key_min)
        key.char = char
        key.label_id = label_id
        key.bind(on_release=lambda _key: self.dispatch("on_key", char))
        return key

    def _erase_key(self, width: float) -> object:
        key = Factory.KeyboardKey(width=width, height=self.key_min)
        key.label_id = "Delete"
        key.bind(on_release=lambda _key: self.dispatch("on_erase"))
        return key


if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)
