"""How long the balance screen takes to read aloud at a calm pace: the figure behind
``[screen] removal_linger_seconds``, how long a quick tap's balance stays after the card left.

    .venv/bin/python -m bench.balance_reading_time [--wpm 140] [--voice tr]

For every card a driver can tap (active, not activated and registered, not registered,
replaced, blocked) it composes everything that card's balance screen shows, in Turkish and in
English, from the screens' own texts (screens.texts, the message ids of kv/balance.kv, the
catalog, the kiosk's number and time formats), with the demo active card's pots (1.234,56 and
87,90), and has espeak-ng speak it at ``--wpm`` words a minute into a WAV file; the
duration is the WAV's length. It prints each case and the longest, and the words-per-minute
estimate beside it (words / wpm). Reading aloud is slower than reading silently, so the
longest case read aloud is a generous reading time for the driver who reads it on the glass.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import tempfile
import wave
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kiosk.balance import CardStatus  # noqa: E402
from kiosk.formatting import format_as_of, format_points  # noqa: E402
from screens import texts  # noqa: E402
from screens.i18n import load_catalog  # noqa: E402
from screens.messages import SCREENS_DIR, _KV_MESSAGE  # noqa: E402

POTS = (123_456, 8_790)  # hundredths: the demo active card's 1.234,56 and 87,90
BUTTONS_OF = {  # the buttons each card's row shows (BalanceScreen._arrange_buttons)
    "active": ("OK",),
    "not activated": ("Activate here", "Other ways to activate", "OK"),
    "not registered": ("How to register", "Call an attendant", "OK"),
    "replaced": ("OK",),
    "blocked": ("Call an attendant", "OK"),
}
CASES = (
    ("active", CardStatus.ACTIVE, True),
    ("not activated", CardStatus.NOT_ACTIVATED, True),
    ("not registered", CardStatus.NOT_ACTIVATED, False),
    ("replaced", CardStatus.REPLACED, True),
    ("blocked", CardStatus.BLOCKED, True),
)
_BUTTON_IDS = {"Activate here", "Other ways to activate", "How to activate", "How to register", "Call an attendant", "OK"}


def screen_text(language: str, name: str, status: CardStatus, registered: bool) -> str:
    """Every text the balance screen shows for this card, in reading order."""
    _ = load_catalog(language).gettext
    labels = [m for m in (eval_literal(lit) for lit in _KV_MESSAGE.findall(balance_kv())) if m not in _BUTTON_IDS]
    fuel, autogas = (f"{format_points(pot, language)} Paropuan" for pot in POTS)
    parts = [_("Card {number}").format(number="•••• •••• •••• 6566").replace("•", "")]
    fuel_title, fuel_note, autogas_title, autogas_note = labels
    parts += [_(fuel_title), fuel, _(fuel_note), _(autogas_title), autogas, _(autogas_note)]
    parts.append(texts.status_text(_, status))
    if status is CardStatus.NOT_ACTIVATED:
        parts.append(texts.registration_text(_, registered))
    moment = dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.timezone.utc)
    parts.append(_("Balance as of {time}").format(time=format_as_of(moment, language)))
    parts += [_(button) for button in BUTTONS_OF[name]]
    return ". ".join(part.rstrip(".") for part in parts if part) + "."


def balance_kv() -> str:
    return (SCREENS_DIR / "kv" / "balance.kv").read_text(encoding="utf-8")


def eval_literal(literal: str) -> str:
    import ast

    return ast.literal_eval(literal)


def spoken_seconds(text: str, voice: str, wpm: int, workdir: Path) -> float:
    out = workdir / "speech.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out), text], check=True, timeout=60)
    with wave.open(str(out)) as speech:
        return speech.getnframes() / speech.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wpm", type=int, default=140, help="espeak-ng's speed, words a minute (default 140, calm)")
    parser.add_argument("--show", action="store_true", help="print each text spoken")
    args = parser.parse_args()
    longest = (0.0, "")
    with tempfile.TemporaryDirectory() as workdir:
        for language, voice in (("tr", "tr"), ("en", "en")):
            for name, status, registered in CASES:
                text = screen_text(language, name, status, registered)
                seconds = spoken_seconds(text, voice, args.wpm, Path(workdir))
                words = len(re.findall(r"\w+", text))
                if args.show:
                    print(text)
                print(f"{language} {name:15} {seconds:5.1f} s aloud, {words:3d} words = {60 * words / args.wpm:5.1f} s at {args.wpm} wpm")
                longest = max(longest, (seconds, f"{language} {name}"))
    print(f"longest: {longest[1]}, {longest[0]:.1f} s aloud at {args.wpm} words a minute")


if __name__ == "__main__":
    main()
