"""Reading a screen aloud, for drivers who cannot read it: espeak-ng, offline, in a process of
its own that plays to the kiosk's audio output (the way accessible cash machines speak through
a headphone jack).

:meth:`Speaker.say` only starts the process (a fork and exec, never a wait), so the UI thread
is never held; a thread of the speaker's own waits for it and reports the end through the
dispatcher. :meth:`Speaker.stop` ends it at once (the driver pressed stop or left). The text is
handed over on the process's standard input, not its command line, which any local user can
read in ``/proc``.
"""
from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable, Sequence

from kiosk.scheduling import Dispatch

log = logging.getLogger(__name__)

VOICES = {"tr": "tr", "en": "en-gb"}
"""espeak-ng's voice for each language of the kiosk."""
ESPEAK = "espeak-ng"


def espeak_command(language: str, words_per_minute: int, wav_file: str | None = None) -> list[str]:
    """The espeak-ng command line that reads its standard input aloud in ``language`` (to
    ``wav_file`` instead of the audio output when given)."""
    command = [ESPEAK, "-v", VOICES[language], "-s", str(words_per_minute), "--stdin"]
    if wav_file is not None:
        command[1:1] = ["-w", wav_file]
    return command


class Speaker:
    """One utterance at a time; a new one, or :meth:`stop`, ends the one before."""

    def __init__(self, dispatch: Dispatch, words_per_minute: int = 140,
                 command: Callable[[str, int], Sequence[str]] = espeak_command) -> None:
        self._dispatch = dispatch
        self._words_per_minute = words_per_minute
        self._command = command
        self._process: subprocess.Popen[bytes] | None = None

    def say(self, text: str, language: str, finished: Callable[[], None]) -> bool:
        """Start reading ``text`` aloud; ``finished`` runs on the UI thread when the engine has
        ended by itself (read to the end, or failed: no audio device), not when stopped. False
        when the engine could not be started at all."""
        self.stop()
        try:
            process = subprocess.Popen(
                self._command(language, self._words_per_minute), stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            log.warning("speech engine not started: %s", error.strerror)
            return False
        self._process = process
        threading.Thread(target=self._feed_and_wait, args=(process, text, finished), daemon=True,
                         name="speech").start()
        return True

    def _feed_and_wait(self, process: subprocess.Popen[bytes], text: str, finished: Callable[[], None]) -> None:
        try:
            process.communicate(text.encode("utf-8"))
        except (BrokenPipeError, ValueError):  # stopped while the text was handed over
            return
        if process.returncode != 0:
            log.warning("speech engine ended with status %s", process.returncode)
        self._dispatch(lambda: self._finished(process, finished))

    def _finished(self, process: subprocess.Popen[bytes], finished: Callable[[], None]) -> None:
        if self._process is process:
            self._process = None
            finished()

    @property
    def speaking(self) -> bool:
        return self._process is not None

    def stop(self) -> None:
        """Stop reading now (nothing happens when nothing is being read)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()  # the waiting thread reaps it
