"""The ``[reader]`` section of a kiosk configuration file, read by ``opet-reader`` itself.

``hardware`` may not import ``kiosk``, so the reader tool reads the same TOML table on its
own: the reader name filter, the profile order and options, the tap feedback. (Environment
overrides of the kiosk, ``OPET_KIOSK_READER_*``, are the kiosk's and not applied here.)
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from hardware.profiles.config import ProfileConfigError, check_profiles
from hardware.tap_feedback import FeedbackConfigError, feedback_command

_PROFILE_TABLES = ("iso7816", "mifare_classic", "uid")


class ReaderSectionError(ValueError):
    """The file or its ``[reader]`` section is unusable; the message names the setting."""


class ReaderSection(NamedTuple):
    """What the reader tool takes from ``[reader]``."""

    name_filter: str = ""
    profiles: tuple[str, ...] = ("iso7816",)
    options: Mapping[str, Mapping[str, Any]] = {}
    feedback: bytes | None = None


def default_section(profiles: Sequence[str]) -> ReaderSection:
    return ReaderSection(profiles=tuple(profiles))


def read_section(path: str | Path) -> ReaderSection:
    """The ``[reader]`` table of the TOML file at ``path``, checked."""
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("reader", {})
    except OSError as exc:
        raise ReaderSectionError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReaderSectionError(f"{path} is not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise ReaderSectionError("reader should be a table ([reader])")
    profiles = table.get("profiles", ["iso7816"])
    options = {name: table[name] for name in _PROFILE_TABLES if isinstance(table.get(name), dict)}
    try:
        check_profiles(profiles, options)
        feedback = feedback_command(table.get("tap_feedback", "none"))
    except (ProfileConfigError, FeedbackConfigError) as exc:
        raise ReaderSectionError(f"reader: {exc}") from None
    return ReaderSection(str(table.get("name_filter", "")), tuple(profiles), options, feedback)
