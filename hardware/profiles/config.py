"""Profiles from a deployment's configuration: which profiles, in which order, with what options.

``build_profiles(order, options)`` takes plain data as it comes out of TOML, for example::

    [reader]
    profiles = ["iso7816", "mifare_classic", "uid"]      # tried in this order

    [reader.iso7816]
    aid = "F04F5045544B415254"
    file_access = "binary"          # or "record" (then: record = 1)
    sfi = 1
    encoding = "ascii"              # or "bcd"

    [reader.mifare_classic]
    sector = 1
    block = 0
    encoding = "bcd"
    keys = [{ key = "FFFFFFFFFFFF", type = "A" }]      # tried in order

    [reader.uid]                    # no options: the number is looked up centrally
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hardware.profiles.encoding import NumberEncoding

if TYPE_CHECKING:
    from hardware.profiles import CardProfile
    from hardware.profiles.mifare import MifareKey

# Each builder imports its own profile module: a kiosk loads (and validates, at start-up) only
# the profiles it is configured with.

Options = Mapping[str, Any]


class ProfileConfigError(ValueError):
    """The profile configuration is wrong; the message names the setting, never a key value."""


def _iso7816(options: Options) -> CardProfile:
    from hardware.profiles.iso7816 import FileAccess, Iso7816Profile

    kwargs: dict[str, Any] = {}
    if "aid" in options:
        kwargs["aid"] = _hex(options["aid"], "iso7816.aid")
    if "file_access" in options:
        kwargs["access"] = _choice(FileAccess, options["file_access"], "iso7816.file_access")
    if "encoding" in options:
        kwargs["encoding"] = _choice(NumberEncoding, options["encoding"], "iso7816.encoding")
    for name in ("sfi", "record"):
        if name in options:
            kwargs[name] = _int(options[name], f"iso7816.{name}", 1, 30 if name == "sfi" else 254)
    return Iso7816Profile(**kwargs)


def _mifare(options: Options) -> CardProfile:
    from hardware.profiles.mifare import MifareClassicProfile

    kwargs: dict[str, Any] = {}
    if "sector" in options:
        kwargs["sector"] = _int(options["sector"], "mifare_classic.sector", 0, 39)
    if "block" in options:
        kwargs["block"] = _int(options["block"], "mifare_classic.block", 0, 14)
    if "encoding" in options:
        kwargs["encoding"] = _choice(NumberEncoding, options["encoding"], "mifare_classic.encoding")
    if "keys" in options:
        kwargs["keys"] = tuple(_key(entry, index) for index, entry in enumerate(options["keys"]))
    try:
        return MifareClassicProfile(**kwargs)
    except ValueError as exc:
        raise ProfileConfigError(f"mifare_classic: {exc}") from None


def _uid(options: Options) -> CardProfile:
    from hardware.profiles.uid import UidProfile

    return UidProfile()


BUILDERS: dict[str, Callable[[Options], CardProfile]] = {
    "iso7816": _iso7816,
    "mifare_classic": _mifare,
    "uid": _uid,
}


def build_profiles(order: Sequence[str], options: Mapping[str, Options] | None = None) -> tuple[CardProfile, ...]:
    """The profiles named in ``order`` (tried in that order), each built from ``options[name]``."""
    if not order:
        raise ProfileConfigError("at least one card profile is needed")
    if len(set(order)) != len(order):
        raise ProfileConfigError("a card profile is listed twice")
    unknown = [name for name in order if name not in BUILDERS]
    if unknown:
        raise ProfileConfigError(f"unknown card profile {unknown[0]!r} (known: {', '.join(BUILDERS)})")
    return tuple(BUILDERS[name]((options or {}).get(name, {})) for name in order)


def _key(entry: Any, index: int) -> MifareKey:
    from hardware.profiles.mifare import KeyType, MifareKey

    where = f"mifare_classic.keys[{index}]"
    if not isinstance(entry, Mapping) or "key" not in entry:
        raise ProfileConfigError(f"{where} needs a key (12 hex digits)")
    key = _hex(entry["key"], where)
    if len(key) != 6:
        raise ProfileConfigError(f"{where} is not 6 bytes")
    return MifareKey(key, _choice(KeyType, entry.get("type", "A"), f"{where}.type"))


def _hex(value: Any, where: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise ProfileConfigError(f"{where} is not hex") from None


def _int(value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProfileConfigError(f"{where} must be a whole number {low}-{high}")
    return value


def _choice(enum: Any, value: Any, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ProfileConfigError(f"{where} must be one of {', '.join(e.value for e in enum)}") from None
