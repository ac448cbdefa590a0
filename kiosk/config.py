"""Kiosk configuration: a TOML file, then ``OPET_KIOSK_<SECTION>_<KEY>`` environment overrides.

Every value is checked as it is loaded: a wrong type, a word that is not ``true``/``false``
(``"ture"``), a number outside its range (:data:`RANGES`) or a text outside its choices
(:data:`CHOICES`) is a :class:`ConfigError` naming the key and what it allows, and
``opet-kiosk`` stops with it (exit status 2) before it opens a window.

Example file (every key optional)::

    [service]
    url = "https://central.example:8600"
    token_file = "/etc/opet-kiosk/device-token"   # or token = "..."
    ca_file = "/etc/opet-kiosk/ca.pem"   # private CA of the service's certificate; empty = system CAs
    timeout_seconds = 3.0
    retries = 2
    heartbeat_seconds = 60
    probe_seconds = 15             # how often /healthz is asked while the service answers
    probe_when_down_seconds = 2    # ... and while it does not

    [screen]
    idle_timeout_seconds = 30
    removal_linger_seconds = 30    # a tapped card's balance stays this long after the card
                                   # leaves, unless touched: the longest balance screen's reading
                                   # time (docs/PERFORMANCE.md); never longer than idle_timeout_seconds
    language = "tr"                # the default; drivers switch to "en" with a tap
    check_digit = true             # Luhn-check typed numbers before any request
    typed_lookups_per_minute = 6
    high_contrast = false
    width = 1280                   # pixels of the touchscreen (portrait: width < height)
    height = 800
    diagonal_inches = 15.6         # its physical size: touch targets are sized in mm

    [reader]
    name_filter = ""          # substring of the reader name to use; empty = every reader
    profiles = ["iso7816"]    # card profiles tried in this order: iso7816, mifare_classic, uid
    tap_feedback = "none"     # beep + blink after a read: "acr122u", "acr1252u" (docs/READERS.md)

    [reader.iso7816]          # where the number is: `opet-reader probe` prints this block
    addressing = ["sfi", "current"]

    [reader.mifare_classic]   # options of a profile (hardware/profiles/config.py)
    sector = 1
    block = 0
    keys = [{ key = "FFFFFFFFFFFF", type = "A" }]
                              # (uid: the number is looked up by the card's UID centrally)

    [attendant]
    idle_timeout_seconds = 90     # attendant mode closes itself (and signs out) after this
    hold_seconds = 3              # the hidden gesture: hold the top-left corner this long
    technician_codes = []         # attendant codes that also see the technician's self-test

    [speech]
    enabled = true                # the balance screen's "Read aloud" button (espeak-ng)
    words_per_minute = 140        # a calm pace

    [demo]
    cards = ["7000070012806566"]
    emulator_port = 35963
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from hardware.profiles.config import ProfileConfigError, build_profiles, check_profiles
from hardware.tap_feedback import FeedbackConfigError, feedback_command

if TYPE_CHECKING:
    from hardware.profiles import CardProfile

ENV_PREFIX = "OPET_KIOSK_"
T = TypeVar("T")

# What a number may be, by key: a value outside is refused when the kiosk starts, not found
# out at the first tap (a 0 s timeout, a negative retry count, a screen of 12 pixels). The
# bounds refuse nonsense, not unusual choices: tests and benchmarks run with sub-second timers.
RANGES: Mapping[str, tuple[float, float]] = MappingProxyType({
    "service.timeout_seconds": (0.1, 60),
    "service.retries": (0, 10),
    "service.heartbeat_seconds": (0.1, 3600),
    "service.probe_seconds": (0.1, 3600),
    "service.probe_when_down_seconds": (0.1, 600),
    "screen.idle_timeout_seconds": (0.1, 3600),
    "screen.removal_linger_seconds": (0, 60),
    "screen.typed_lookups_per_minute": (1, 600),
    "screen.width": (320, 7680),
    "screen.height": (240, 4320),
    "screen.diagonal_inches": (5, 100),
    "attendant.idle_timeout_seconds": (0.1, 3600),
    "attendant.hold_seconds": (0.1, 30),
    "demo.emulator_port": (1, 65535),
    "speech.words_per_minute": (80, 400),
})
# What a text may be, by key.
CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType({"screen.language": ("tr", "en")})
_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


class ConfigError(ValueError):
    """The configuration file or an override is unusable; the message says which key."""


# Each section is an immutable NamedTuple rather than a frozen dataclass: the kiosk reads its
# config before its first frame, and building six dataclasses (Python compiles each one's
# generated methods) cost ~8 ms of that (bench.kiosk_cold_start); a NamedTuple ~0.3 ms.
NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})


class ServiceConfig(NamedTuple):
    """``[service]``: where the central service is and how the kiosk talks to it."""

    url: str = "http://127.0.0.1:8600"
    token: str = ""
    token_file: str = ""
    ca_file: str = ""
    timeout_seconds: float = 3.0
    retries: int = 2
    heartbeat_seconds: float = 60.0
    probe_seconds: float = 15.0
    probe_when_down_seconds: float = 2.0

    def device_token(self) -> str:
        """The token itself, read from ``token_file`` when one is named."""
        if self.token_file:
            try:
                return Path(self.token_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"service.token_file cannot be read: {exc.strerror}") from None
        return self.token

    def tls_verify(self) -> bool | str:
        """What ``requests`` verifies the service's certificate against."""
        return self.ca_file or True


class ScreenConfig(NamedTuple):
    """``[screen]``: the touchscreen and the driver's session on it."""

    idle_timeout_seconds: float = 30.0
    removal_linger_seconds: float = 30.0
    language: str = "tr"
    check_digit: bool = True
    typed_lookups_per_minute: int = 6
    high_contrast: bool = False
    width: int = 1280
    height: int = 800
    diagonal_inches: float = 15.6


class ReaderConfig(NamedTuple):
    """``[reader]``; each profile's options are a sub-table (``[reader.mifare_classic]``
    sector, block, keys...: see hardware/profiles/config.py)."""

    name_filter: str = ""
    profiles: tuple[str, ...] = ("iso7816",)
    tap_feedback: str = "none"
    iso7816: Mapping[str, Any] = NO_OPTIONS
    mifare_classic: Mapping[str, Any] = NO_OPTIONS
    uid: Mapping[str, Any] = NO_OPTIONS

    def card_profiles(self) -> tuple[CardProfile, ...]:
        """The card watcher's profiles, in the configured order, with their options."""
        return self._profiles(build_profiles)

    def check(self) -> None:
        """Raises :class:`ConfigError` if the profile list, an option or the tap feedback is
        wrong; imports no profile (APDUs, card types), so it is cheap before the first frame."""
        self._profiles(check_profiles)
        self.feedback_command()

    def feedback_command(self) -> bytes | None:
        """The command that makes this reader model beep and blink after a read, if any."""
        try:
            return feedback_command(self.tap_feedback)
        except FeedbackConfigError as exc:
            raise ConfigError(f"reader.{exc}") from None

    def _profiles(self, make: Callable[[Sequence[str], Mapping[str, Mapping[str, Any]]], T]) -> T:
        """``make`` (check or build) applied to this section, its errors as ConfigError."""
        options = {"iso7816": self.iso7816, "mifare_classic": self.mifare_classic, "uid": self.uid}
        try:
            return make(self.profiles, options)
        except ProfileConfigError as exc:
            raise ConfigError(f"reader.profiles: {exc}") from None


class AttendantConfig(NamedTuple):
    """``[attendant]``: attendant mode."""

    idle_timeout_seconds: float = 90.0
    hold_seconds: float = 3.0
    technician_codes: tuple[str, ...] = ()


class SpeechConfig(NamedTuple):
    """``[speech]``: reading the balance aloud through espeak-ng (kiosk.speech)."""

    enabled: bool = True
    words_per_minute: int = 140


class DemoConfig(NamedTuple):
    """``[demo]``: the demo cards and the card emulator's port."""

    cards: tuple[str, ...] = ()
    emulator_port: int = 35963


class KioskConfig(NamedTuple):
    """The whole configuration, one section per TOML table."""

    service: ServiceConfig = ServiceConfig()
    screen: ScreenConfig = ScreenConfig()
    reader: ReaderConfig = ReaderConfig()
    attendant: AttendantConfig = AttendantConfig()
    speech: SpeechConfig = SpeechConfig()
    demo: DemoConfig = DemoConfig()


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> KioskConfig:
    """Read ``path`` (if given), then apply environment overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    environ = os.environ if environ is None else environ
    unknown = set(data) - set(KioskConfig._fields)
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")
    sections = {}
    for name, defaults in KioskConfig._field_defaults.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name} should be a table ([{name}])")
        sections[name] = _build_section(name, defaults, dict(table), environ)
    config = KioskConfig(**sections)
    config.reader.check()  # a wrong profile list fails at load time, not at the first tap
    return config


def _build_section(name: str, defaults: NamedTuple, values: dict[str, Any], environ: Mapping[str, str]) -> Any:
    """The section ``name`` from its table's ``values`` and the environment; ``defaults`` is
    the section with every default (and its type)."""
    unknown = set(values) - set(defaults._fields)
    if unknown:
        raise ConfigError(f"unknown key(s) in [{name}]: {', '.join(sorted(unknown))}")
    for key in defaults._fields:
        env_name = f"{ENV_PREFIX}{name}_{key}".upper()
        if env_name in environ:
            values[key] = environ[env_name]
    converted = {key: _convert(f"{name}.{key}", value, getattr(defaults, key)) for key, value in values.items()}
    return defaults._replace(**converted)


def _convert(key: str, value: Any, default: Any) -> Any:
    """``value`` (from TOML, or a string from the environment) as the type of ``default``,
    within the key's range or choices; a :class:`ConfigError` naming the key and what it allows."""
    if isinstance(default, Mapping):  # a profile's options: a sub-table, kept read-only
        if not isinstance(value, Mapping):
            raise ConfigError(f"{key} should be a table ([{key}])")
        return MappingProxyType(dict(value))
    if isinstance(default, bool):
        return _boolean(key, value)
    if isinstance(default, tuple):
        if not isinstance(value, (str, list)):
            raise ConfigError(f"{key} should be a list of names, not {value!r}")
        items = value.split(",") if isinstance(value, str) else value
        return tuple(str(item).strip() for item in items if str(item).strip())
    if isinstance(default, (int, float)):
        return _number(key, value, whole=isinstance(default, int))
    if not isinstance(value, str):
        raise ConfigError(f"{key} should be a text, not {value!r}")
    if key in CHOICES and value not in CHOICES[key]:
        raise ConfigError(f"{key} should be one of {', '.join(CHOICES[key])}, not {value!r}")
    return value


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str) else ""
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise ConfigError(f"{key} should be true or false, not {value!r}")


def _number(key: str, value: Any, whole: bool) -> int | float:
    low, high = RANGES.get(key, (float("-inf"), float("inf")))
    allowed = f"{'a whole number' if whole else 'a number'} from {low:g} to {high:g}"
    try:
        if isinstance(value, bool):
            raise ValueError("a boolean is not a number")
        number = float(value)
        if whole and not number.is_integer():
            raise ValueError("not whole")
    except (TypeError, ValueError):
        raise ConfigError(f"{key} should be {allowed}, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{key} should be {allowed}, not {value!r}")
    return int(number) if whole else number
