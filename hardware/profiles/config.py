"""Profiles from a deployment's configuration: which profiles, in which order, with what options.

``check_profiles(order, options)`` checks plain data as it comes out of TOML without importing
any profile's module (the kiosk checks its configuration before its first frame; APDUs and
card types are loaded with the card watcher), and ``build_profiles(order, options)`` checks it
the same way, then builds the profiles. For example::

    [reader]
    profiles = ["iso7816", "mifare_classic", "uid"]      # tried in this order

    [reader.iso7816]
    aid = "F04F5045544B415254"
    addressing = ["sfi", "current"] # how the number file is named, tried in order (also "fid")
    sfi = 1                         # for "sfi"
    fid = "2F01"                    # for "fid": SELECT EF by this file identifier first
    file_access = "binary"          # or "record" (then: record = 1)
    encoding = "ascii"              # or "bcd"

    [reader.mifare_classic]
    sector = 1
    block = 0
    encoding = "bcd"
    keys = [{ key = "FFFFFFFFFFFF", type = "A" }]      # tried in order
    key_slot = 0                    # LOAD KEY's P2; "by_type": 60/61 per key (Identiv)
    auth_key_number = 1             # AUTHENTICATE's key number when not the slot (Identiv: 1)

    [reader.uid]                    # no options: the number is looked up centrally
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from hardware.profiles.mifare_layout import DEFAULT_BLOCK, DEFAULT_SECTOR, absolute_block

if TYPE_CHECKING:
    from hardware.profiles import CardProfile

Options = Mapping[str, Any]

# The option values as a configuration spells them: the values of iso7816.FileAccess, Addressing,
# encoding.NumberEncoding and mifare.KeyType (tests/hardware/test_profiles.py keeps them equal).
FILE_ACCESSES = ("binary", "record")
ADDRESSINGS = ("sfi", "fid", "current")
ENCODINGS = ("ascii", "bcd")
KEY_TYPES = ("A", "B")


class ProfileConfigError(ValueError):
    """The profile configuration is wrong; the message names the setting, never a key value."""


class ProfileSpec(NamedTuple):
    """One configured profile, checked: its name and its constructor's arguments as plain
    values (bytes, ints, option strings; a MIFARE key is a ``(key, key type)`` pair)."""

    name: str
    arguments: Mapping[str, Any]


def check_profiles(order: Sequence[str], options: Mapping[str, Options] | None = None) -> tuple[ProfileSpec, ...]:
    """The profiles named in ``order`` (tried in that order), each with ``options[name]`` checked."""
    if not order:
        raise ProfileConfigError("at least one card profile is needed")
    if len(set(order)) != len(order):
        raise ProfileConfigError("a card profile is listed twice")
    unknown = [name for name in order if name not in _CHECKS]
    if unknown:
        raise ProfileConfigError(f"unknown card profile {unknown[0]!r} (known: {', '.join(_CHECKS)})")
    return tuple(ProfileSpec(name, _CHECKS[name]((options or {}).get(name, {}))) for name in order)


def build_profiles(order: Sequence[str], options: Mapping[str, Options] | None = None) -> tuple[CardProfile, ...]:
    """The profiles named in ``order`` (tried in that order), each built from ``options[name]``;
    only the configured profiles' modules are imported."""
    return tuple(_BUILDERS[spec.name](spec.arguments) for spec in check_profiles(order, options))


# --- checks: options in, constructor arguments out (no profile module imported) -----------
def _iso7816_arguments(options: Options) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if "aid" in options:
        arguments["aid"] = _hex(options["aid"], "iso7816.aid")
    if "file_access" in options:
        arguments["access"] = _choice(FILE_ACCESSES, options["file_access"], "iso7816.file_access")
    if "encoding" in options:
        arguments["encoding"] = _choice(ENCODINGS, options["encoding"], "iso7816.encoding")
    for name in ("sfi", "record"):
        if name in options:
            arguments[name] = _int(options[name], f"iso7816.{name}", 1, 30 if name == "sfi" else 254)
    if "fid" in options:
        arguments["fid"] = _hex(options["fid"], "iso7816.fid")
        if len(arguments["fid"]) != 2 or arguments["fid"] in (b"\x3f\x00", b"\xff\xff"):
            raise ProfileConfigError("iso7816.fid must be 4 hex digits, not 3F00 (the MF) or FFFF")
    if "addressing" in options:
        ways = options["addressing"]
        if isinstance(ways, str) or not isinstance(ways, Sequence) or not ways:
            raise ProfileConfigError(f"iso7816.addressing must be a list of {', '.join(ADDRESSINGS)}")
        arguments["addressing"] = tuple(_choice(ADDRESSINGS, way, "iso7816.addressing") for way in ways)
        if len(set(ways)) != len(ways):
            raise ProfileConfigError("iso7816.addressing lists a way twice")
        if "fid" in ways and "fid" not in arguments:
            raise ProfileConfigError("iso7816.addressing \"fid\" needs iso7816.fid")
    return arguments


def _mifare_arguments(options: Options) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if "sector" in options:
        arguments["sector"] = _int(options["sector"], "mifare_classic.sector", 0, 39)
    if "block" in options:
        arguments["block"] = _int(options["block"], "mifare_classic.block", 0, 14)
    try:
        absolute_block(arguments.get("sector", DEFAULT_SECTOR), arguments.get("block", DEFAULT_BLOCK))
    except ValueError as exc:
        raise ProfileConfigError(f"mifare_classic: {exc}") from None
    if "encoding" in options:
        arguments["encoding"] = _choice(ENCODINGS, options["encoding"], "mifare_classic.encoding")
    if "keys" in options:
        arguments["keys"] = tuple(_key(entry, index) for index, entry in enumerate(options["keys"]))
        if not arguments["keys"]:
            raise ProfileConfigError("mifare_classic: at least one key is needed")
    if options.get("key_slot") == "by_type":
        arguments["key_slot_by_type"] = True
    elif "key_slot" in options:
        arguments["key_slot"] = _int(options["key_slot"], "mifare_classic.key_slot (or \"by_type\")", 0, 255)
    if "auth_key_number" in options:
        arguments["auth_key_number"] = _int(options["auth_key_number"], "mifare_classic.auth_key_number", 0, 255)
    return arguments


def _uid_arguments(options: Options) -> dict[str, Any]:
    return {}  # no options: the number is looked up by the card's UID centrally


_CHECKS: dict[str, Callable[[Options], dict[str, Any]]] = {
    "iso7816": _iso7816_arguments,
    "mifare_classic": _mifare_arguments,
    "uid": _uid_arguments,
}


def _key(entry: Any, index: int) -> tuple[bytes, str]:
    where = f"mifare_classic.keys[{index}]"
    if not isinstance(entry, Mapping) or "key" not in entry:
        raise ProfileConfigError(f"{where} needs a key (12 hex digits)")
    key = _hex(entry["key"], where)
    if len(key) != 6:
        raise ProfileConfigError(f"{where} is not 6 bytes")
    return key, _choice(KEY_TYPES, entry.get("type", "A"), f"{where}.type")


def _hex(value: Any, where: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise ProfileConfigError(f"{where} is not hex") from None


def _int(value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProfileConfigError(f"{where} must be a whole number {low}-{high}")
    return value


def _choice(choices: tuple[str, ...], value: Any, where: str) -> str:
    if value not in choices:
        raise ProfileConfigError(f"{where} must be one of {', '.join(choices)}")
    return value


# --- builders: each imports its own profile module ----------------------------------------
def _iso7816(arguments: Mapping[str, Any]) -> CardProfile:
    from hardware.profiles.encoding import NumberEncoding
    from hardware.profiles.iso7816 import Addressing, FileAccess, Iso7816Profile

    kwargs = dict(arguments)
    if "addressing" in kwargs:
        kwargs["addressing"] = tuple(Addressing(way) for way in kwargs["addressing"])
    if "access" in kwargs:
        kwargs["access"] = FileAccess(kwargs["access"])
    if "encoding" in kwargs:
        kwargs["encoding"] = NumberEncoding(kwargs["encoding"])
    return Iso7816Profile(**kwargs)


def _mifare(arguments: Mapping[str, Any]) -> CardProfile:
    from hardware.profiles.encoding import NumberEncoding
    from hardware.profiles.mifare import KeyType, MifareClassicProfile, MifareKey

    kwargs = dict(arguments)
    if "encoding" in kwargs:
        kwargs["encoding"] = NumberEncoding(kwargs["encoding"])
    if "keys" in kwargs:
        kwargs["keys"] = tuple(MifareKey(key, KeyType(key_type)) for key, key_type in kwargs["keys"])
    return MifareClassicProfile(**kwargs)


def _uid(_arguments: Mapping[str, Any]) -> CardProfile:
    from hardware.profiles.uid import UidProfile

    return UidProfile()


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], CardProfile]] = {
    "iso7816": _iso7816,
    "mifare_classic": _mifare,
    "uid": _uid,
}
