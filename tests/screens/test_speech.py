"""The spoken balance, rendered by the real espeak-ng to a WAV file (``espeak-ng -w``, the
command the kiosk plays, with a file instead of the audio output): in each language it is not
silent, it lasts about as long as its text takes to say at the configured pace, and it names
the card by its last four digits only."""
from __future__ import annotations

import array
import math
import re
import subprocess
import wave
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hardware.card_number import CardNumber
from kiosk.balance import Balance, CardStatus
from kiosk.speech import espeak_command
from screens.i18n import load_catalog
from screens.speech_texts import balance_speech

CARD = CardNumber.parse("7000070012806566")
WORDS_PER_MINUTE = 140
FULL_NUMBER = re.compile(r"(?<!\d)(?:\d[ .]?){16}(?!\d)")


def balance(status: CardStatus, registered: bool = True) -> Balance:
    return Balance(CARD, status, 123456, 8790, registered, datetime(2026, 11, 27, 18, 20, tzinfo=timezone.utc), CARD.last4)


def spoken(language: str, status: CardStatus = CardStatus.ACTIVE, registered: bool = True) -> str:
    return balance_speech(load_catalog(language).gettext, balance(status, registered), language)


def expected_seconds(text: str) -> float:
    """How long ``text`` takes at :data:`WORDS_PER_MINUTE`, from the text itself: every word, and
    every digit of a number counted as a word of its own (1.234,56 is said in six or more)."""
    words = len(re.findall(r"[^\W\d_]+", text))
    digits = len(re.findall(r"\d", text))
    return (words + digits) / WORDS_PER_MINUTE * 60


def render(text: str, language: str, wav: Path) -> tuple[float, float]:
    """(seconds, RMS level from 0 to 1) of ``text`` read by espeak-ng into ``wav``."""
    subprocess.run(espeak_command(language, WORDS_PER_MINUTE, str(wav)), input=text.encode("utf-8"),
                   check=True, timeout=60, capture_output=True)
    with wave.open(str(wav)) as sound:
        assert sound.getsampwidth() == 2
        frames = sound.readframes(sound.getnframes())
        seconds = sound.getnframes() / sound.getframerate()
    samples = array.array("h", frames)
    rms = math.sqrt(sum(sample * sample for sample in samples) / len(samples)) / 32768
    return seconds, rms


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("status", [CardStatus.ACTIVE, CardStatus.NOT_ACTIVATED])
def test_the_balance_is_spoken_at_a_plausible_length_and_not_silent(language: str, status: CardStatus, tmp_path) -> None:
    text = spoken(language, status, registered=status is CardStatus.ACTIVE)
    seconds, rms = render(text, language, tmp_path / "balance.wav")
    expected = expected_seconds(text)
    assert rms > 0.02, f"silent: RMS {rms:.4f}"
    assert 0.6 * expected <= seconds <= 2.5 * expected, (seconds, expected, text)
    shorter, _ = render(text.split(". ")[0] + ".", language, tmp_path / "first.wav")
    assert shorter < seconds / 2  # the length follows the text


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_spoken_text_names_the_card_by_its_last_four_digits_only(language: str) -> None:
    text = spoken(language, CardStatus.NOT_ACTIVATED, registered=False)
    assert "6 5 6 6" in text
    assert FULL_NUMBER.search(text) is None
    digits_said = re.sub(r"\D", "", text)
    assert CARD.digits[:12] not in digits_said and CARD.last10 not in digits_said
    assert "•" not in text  # the screen's mask is not read out as bullets


def test_the_spoken_text_is_the_screen_in_its_language() -> None:
    turkish, english = spoken("tr"), spoken("en")
    assert "Benzin ve motorin: 1.234,56 Paropuan." in turkish and "27 Kasım 2026" in turkish
    assert "Petrol & diesel: 1,234.56 Paropuan." in english and "27 November 2026" in english
