"""Where each screen comes from, so that no screen module imports another.

Only the attract screen is built at start-up (it is in kv/kiosk.kv); every other screen is
built the first time it is shown, its module imported and its .kv rules loaded just before
(bench.kiosk_cold_start). Attendant mode is one of them: a kiosk that never opens it pays
nothing for it.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import NamedTuple

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen, ScreenManager

KV_DIR = Path(__file__).parent / "kv"
ATTENDANT = "attendant"


class ScreenSource(NamedTuple):
    """The class of a screen, by module and name, and its .kv file."""

    module: str
    class_name: str
    kv_file: Path


SCREENS = {
    name: ScreenSource("screens.views", class_name, KV_DIR / f"{name}.kv")
    for name, class_name in (
        ("reading", "ReadingScreen"),
        ("balance", "BalanceScreen"),
        ("problem", "ProblemScreen"),
        ("keypad", "KeypadScreen"),
        ("activation_help", "ActivationHelpScreen"),
        ("lost_card", "LostCardScreen"),
        ("registration_help", "RegistrationHelpScreen"),
        ("activate_here", "ActivateHereScreen"),
    )
} | {ATTENDANT: ScreenSource("screens.attendant", "AttendantScreen", KV_DIR / "attendant.kv")}


def screen_named(manager: ScreenManager, name: str) -> Screen:
    """The screen ``name`` of ``manager``, built and added the first time it is asked for."""
    if not manager.has_screen(name):
        source = SCREENS[name]
        screen_class = getattr(importlib.import_module(source.module), source.class_name)
        if str(source.kv_file) not in Builder.files:
            Builder.load_file(str(source.kv_file))
        manager.add_widget(screen_class(name=name))
    return manager.get_screen(name)
