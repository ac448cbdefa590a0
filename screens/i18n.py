"""Runtime language switching for .kv rules, on gettext catalogs.

Message ids are English; ``locale/tr/LC_MESSAGES/kiosk.po`` translates every one of them
(compiled to .mo when the package is built or installed: see setup.py). In .kv files write
``text: app.tr._("Tap your card")``: the rule re-runs when the language changes, because
the translator tells Kivy that its ``_`` changed (Kivy's documented i18n pattern).
"""
from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any, Callable

from kivy.event import Observable

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"


def load_catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language``; English is the message ids themselves."""
    if language == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    except FileNotFoundError:
        raise RuntimeError(
            f"no compiled catalog for {language!r} in {LOCALE_DIR}; reinstall the package "
            "(pip install .) or run scripts/bootstrap.sh, which compile the .po files"
        ) from None


class Translator(Observable):
    """``_()`` for the current language; bound .kv expressions update on :meth:`switch`."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self._observers: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self._catalogs = {lang: load_catalog(lang) for lang in ("tr", "en")}
        self.language = language

    def _(self, text: str) -> str:
        return self._catalogs[self.language].gettext(text)

    def switch(self, language: str) -> None:
        if language == self.language:
            return
        self.language = language
        observers, self._observers = self._observers, []
        for observer in observers:
            callback, args, _kwargs = observer
            try:
                callback(*args, None, None)
            except ReferenceError:  # a widget built in Python and since dropped (keyboard keys)
                continue
            self._observers.append(observer)

    def fbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            self._observers.append((func, args, kwargs))
            return 0
        return super().fbind(name, func, *args, **kwargs)

    def funbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            key = (func, args, kwargs)
            if key in self._observers:
                self._observers.remove(key)
            return None
        return super().funbind(name, func, *args, **kwargs)
