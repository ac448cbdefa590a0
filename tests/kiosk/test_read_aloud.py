"""Reading the balance aloud: the session's rules on a scripted speaker and a hand-advanced
clock (a reading is not cut off by the idle timeout or the linger; leaving the screen or the
driver leaving stops it), and kiosk.speech's Speaker on the real espeak-ng, writing to a WAV
file instead of the audio output (say returns at once; the end comes through the UI queue;
stop ends the process)."""
from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

import pytest

from hardware.card_number import CardNumber
from kiosk.balance import Entry
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, SessionSettings
from kiosk.speech import Speaker, espeak_command
from kiosk.state import Screen
from tests.kiosk.cards import Cards
from tests.kiosk.ui_thread import ManualScheduler, UiQueue

ACTIVE = CardNumber.parse("7000070012806566")
IDLE, LINGER, BOUND = 30.0, 4.0, 60.0


class ScriptedSpeaker:
    """Records what it is asked; the test ends a reading with :meth:`end`."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.stops = 0
        self._finished: Callable[[], None] | None = None

    def say(self, text: str, language: str, finished: Callable[[], None]) -> bool:
        self.said.append((text, language))
        self._finished = finished
        return True

    def stop(self) -> None:
        self.stops += 1
        self._finished = None

    def end(self) -> None:
        finished, self._finished = self._finished, None
        assert finished is not None
        finished()


class Kiosk:
    def __init__(self) -> None:
        self.ui, self.clock, self.speaker = UiQueue(), ManualScheduler(), ScriptedSpeaker()
        self.background = BackgroundWork(self.ui.dispatch)
        self.session = KioskSession(Cards(), self.background, self.clock, SessionSettings(
            idle_timeout_seconds=IDLE, removal_linger_seconds=LINGER, reading_timeout_seconds=BOUND,
        ), speaker=self.speaker)

    def balance_shown(self, entry: Entry = Entry.TYPED) -> None:
        if entry is Entry.TAPPED:
            self.session.card_presented()
        self.session.show_card(ACTIVE, entry)
        self.ui.pump_until(lambda: self.session.state.screen is Screen.BALANCE)


@pytest.fixture
def kiosk() -> Iterator[Kiosk]:
    harness = Kiosk()
    yield harness
    harness.background.shutdown()


def test_a_reading_outlasts_the_idle_timeout_which_starts_again_when_it_ends(kiosk) -> None:
    kiosk.balance_shown()
    kiosk.session.read_aloud("Son dört hanesi 6 5 6 6 olan kart.")
    assert kiosk.speaker.said == [("Son dört hanesi 6 5 6 6 olan kart.", "tr")]
    assert kiosk.session.state.speaking
    kiosk.clock.advance(IDLE + 1)
    assert kiosk.session.state.screen is Screen.BALANCE
    kiosk.speaker.end()
    assert not kiosk.session.state.speaking
    kiosk.clock.advance(IDLE - 1)
    assert kiosk.session.state.screen is Screen.BALANCE
    kiosk.clock.advance(1)
    assert kiosk.session.state.screen is Screen.ATTRACT


def test_a_tapped_card_taken_away_lingers_from_the_end_of_the_reading(kiosk) -> None:
    kiosk.balance_shown(Entry.TAPPED)
    kiosk.session.read_aloud("…")
    kiosk.session.card_removed()
    kiosk.clock.advance(LINGER + 1)
    assert kiosk.session.state.screen is Screen.BALANCE and kiosk.session.state.speaking
    kiosk.speaker.end()
    kiosk.clock.advance(LINGER)
    assert kiosk.session.state.screen is Screen.ATTRACT


def test_an_engine_that_never_ends_is_bounded(kiosk) -> None:
    kiosk.balance_shown()
    kiosk.session.read_aloud("…")
    kiosk.clock.advance(BOUND)
    assert kiosk.session.state.screen is Screen.ATTRACT and not kiosk.session.state.speaking
    assert kiosk.speaker.stops == 1


@pytest.mark.parametrize("leave", ["ok", "new_card", "language", "press_again"])
def test_leaving_or_pressing_again_stops_the_reading(kiosk, leave: str) -> None:
    kiosk.balance_shown()
    kiosk.session.read_aloud("…")
    {"ok": kiosk.session.go_home, "new_card": kiosk.session.card_presented,
     "language": lambda: kiosk.session.set_language("en"),
     "press_again": lambda: kiosk.session.read_aloud("…")}[leave]()
    assert kiosk.speaker.stops == 1 and not kiosk.session.state.speaking


def test_only_the_balance_screen_reads_aloud(kiosk) -> None:
    kiosk.session.read_aloud("…")
    kiosk.session.open_lost_card()
    kiosk.session.read_aloud("…")
    assert kiosk.speaker.said == [] and not kiosk.session.state.speaking


def wav_speaker(ui: UiQueue, wav: str) -> Speaker:
    return Speaker(ui.dispatch, 140, command=lambda language, wpm: espeak_command(language, wpm, wav))


def test_the_speaker_reads_to_the_end_off_the_ui_thread(tmp_path) -> None:
    ui, wav = UiQueue(), tmp_path / "said.wav"
    speaker = wav_speaker(ui, str(wav))
    ended: list[bool] = []
    assert speaker.say("Kartınız aktif.", "tr", lambda: ended.append(True))
    assert speaker.speaking  # say() returned before the engine ended: the end comes through the queue
    ui.pump_until(lambda: ended == [True])
    assert not speaker.speaking and wav.stat().st_size > 10_000


def test_stop_ends_the_engine_and_reports_no_end(tmp_path, monkeypatch) -> None:
    ui = UiQueue()
    processes: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        processes.append(real_popen(*args, **kwargs))  # the real engine, noted to be watched
        return processes[-1]

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    speaker = wav_speaker(ui, str(tmp_path / "long.wav"))
    ended: list[bool] = []
    speaker.say("Benzin ve motorin. " * 2000, "tr", lambda: ended.append(True))
    speaker.stop()
    assert processes[0].wait(timeout=30) != 0  # terminated, not read to its end
    ui.run_pending()
    assert ended == [] and not speaker.speaking


def test_a_missing_engine_is_no_crash(tmp_path) -> None:
    speaker = Speaker(UiQueue().dispatch, 140, command=lambda _language, _wpm: [str(tmp_path / "no-espeak")])
    assert not speaker.say("…", "tr", lambda: None)
