"""``opet-reader probe``: what a card on the reader holds, and the ``[reader]`` block that reads it.

With a card on the reader: the ATR decoded (:mod:`hardware.atr_info`), the contactless UID if
the reader gives one, which applications of a list (and of the card's own EF.DIR) answer
SELECT and their FCI, which files and records each addressing (SFI, FID, current file) can
read, for a MIFARE Classic card which sectors open with which key, and where a Luhn-valid
16-digit number is (:mod:`hardware.number_scan`). From the best place found it writes the
``[reader]`` TOML block, builds the profiles from that block and reads the card with them:
the block is printed as verified only when that read gave the same number.

Numbers are masked (last 4) everywhere, and data dumps have them blanked.
"""
from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardware.apdu import ApduError, CardChannel, CardConnection, ResponseApdu
from hardware.atr import MIFARE_CLASSIC_NAMES, storage_card_name
from hardware.atr_info import AtrInfo, describe_atr
from hardware.card_uid import CardUid, InvalidCardUid
from hardware.number_scan import FoundNumber, find_numbers, redacted_hex
from hardware.profiles.config import ProfileConfigError, build_profiles
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import (
    OPET_AID,
    read_binary_current,
    read_binary_sfi,
    read_record_current,
    read_record_sfi,
    select_by_aid,
    select_ef,
)
from hardware.profiles.mifare import KeyType, authenticate, load_key, read_block
from hardware.profiles.mifare_layout import BLOCK_BYTES, absolute_block
from hardware.profiles.uid import GET_UID
from hardware.reading import UnsupportedCard, read_identity

# Tried on every card, after the Opet application: payment and NFC Forum applications a
# contactless card commonly carries (a technician adds others with --aid).
DEFAULT_AIDS: tuple[bytes, ...] = (
    OPET_AID,
    b"2PAY.SYS.DDF01",                     # EMV contactless directory (PPSE)
    b"1PAY.SYS.DDF01",                     # EMV contact directory (PSE)
    bytes.fromhex("D2760000850101"),       # NFC Forum Type 4 tag (NDEF)
)
DEFAULT_FIDS: tuple[bytes, ...] = tuple(bytes.fromhex(fid) for fid in (
    "0001", "0002", "0003", "0004", "0005", "0101", "0102", "0103", "2F01", "2F02", "E101", "E104",
))
# Public transport keys of MIFARE Classic: factory default, MAD key A, NFC Forum key A.
DEFAULT_MIFARE_KEYS: tuple[bytes, ...] = tuple(bytes.fromhex(k) for k in ("FFFFFFFFFFFF", "A0A1A2A3A4A5", "D3F7D3F7D3F7"))
EF_DIR_SFI = 30
EF_DIR_FID = b"\x2f\x00"
MAX_RECORDS = 8
_MIFARE_SECTORS = {0x0001: 16, 0x0002: 40, 0x0026: 5}
_ADDRESSING_COST = {"sfi": 0, "current": 1, "fid": 2}  # APDUs beyond SELECT AID + one read


@dataclass(frozen=True)
class ApplicationAnswer:
    """One AID tried: the status word of its SELECT and its FCI (numbers blanked)."""

    aid: str
    source: str
    sw: int
    fci: str


@dataclass(frozen=True)
class FileRead:
    """A file or record that answered with data, and the numbers in it."""

    place: str              # "AID F04F… / sfi 1 / record 2", for people
    aid: str
    addressing: str         # sfi, fid, current, or mifare
    access: str             # binary, record, block
    length: int
    found: tuple[FoundNumber, ...]
    sfi: int | None = None
    fid: str | None = None
    record: int | None = None
    sector: int | None = None
    block: int | None = None
    key: tuple[str, str] | None = None  # MIFARE key (hex, type) that opened the sector
    keys_by_type: bool = False          # the reader loads keys under their type (Identiv)


@dataclass
class ProbeReport:
    """Everything the probe saw; :meth:`as_dict` is the ``--json`` form."""

    reader: str
    atr: AtrInfo
    uid: str | None = None
    applications: list[ApplicationAnswer] = field(default_factory=list)
    reads: list[FileRead] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    best: FileRead | None = None
    best_number: FoundNumber | None = None
    reader_block: str | None = None
    verified: bool = False
    verify_message: str = ""
    apdus: int = 0

    def as_dict(self) -> dict[str, Any]:
        atr = self.atr
        return {
            "reader": self.reader,
            "atr": {
                "hex": atr.atr.hex().upper(),
                "protocols": list(atr.protocols),
                "historical_bytes": atr.historical.hex().upper(),
                "historical_text": atr.historical_text,
                "interface": atr.interface,
                "storage_card": atr.storage_card,
                "families": list(atr.families) or ["unknown"],
                "family_source": atr.family_source,
            },
            "uid": self.uid,
            "applications": [vars(a) | {"sw": f"{a.sw:04X}"} for a in self.applications],
            "reads": [_read_dict(r) for r in self.reads],
            "refusals": self.refusals,
            "number": _found_dict(self.best_number, self.best) if self.best_number else None,
            "reader_block": self.reader_block,
            "verified": self.verified,
            "verify_message": self.verify_message,
            "apdus": self.apdus,
        }


def _found_dict(found: FoundNumber, where: FileRead | None) -> dict[str, Any]:
    return {
        "number": found.number.masked,
        "encoding": found.encoding.value,
        "offset": found.offset,
        "whole_file": found.exact,
        "place": where.place if where else None,
    }


def _read_dict(read: FileRead) -> dict[str, Any]:
    record = {k: v for k, v in vars(read).items() if k not in ("found", "key")}
    record["key_type"] = read.key[1] if read.key else None
    record["numbers"] = [_found_dict(found, None) | {"place": read.place} for found in read.found]
    return record


class _CountingConnection:
    """Counts the APDUs the probe sends."""

    def __init__(self, connection: CardConnection) -> None:
        self._connection = connection
        self.count = 0

    @property
    def atr(self) -> bytes:
        return self._connection.atr

    def transmit(self, command: bytes) -> bytes:
        self.count += 1
        return self._connection.transmit(command)


def probe(
    connection: CardConnection,
    reader: str = "",
    aids: Sequence[bytes] = (),
    fids: Sequence[bytes] = (),
    mifare_keys: Sequence[bytes] = (),
) -> ProbeReport:
    """Probes the card behind ``connection``; ``aids``, ``fids`` and ``mifare_keys`` are tried
    before the defaults."""
    counting = _CountingConnection(connection)
    channel = CardChannel(counting)
    report = ProbeReport(reader, describe_atr(connection.atr))
    report.uid = _uid(channel)
    card_name = storage_card_name(connection.atr)
    if card_name in MIFARE_CLASSIC_NAMES:
        _probe_mifare(channel, _MIFARE_SECTORS[card_name], _unique([*mifare_keys, *DEFAULT_MIFARE_KEYS]), report)
    else:
        listed = _ef_dir_aids(channel)
        candidates = [(aid, "--aid") for aid in aids] + [(aid, "list") for aid in DEFAULT_AIDS] + [(aid, "EF.DIR") for aid in listed]
        seen: set[bytes] = set()
        for aid, source in candidates:
            if aid not in seen:
                seen.add(aid)
                _probe_application(channel, aid, source, _unique([*fids, *DEFAULT_FIDS]), report)
    _choose(report)
    _verify(counting, report)
    report.apdus = counting.count
    return report


def _unique(items: Sequence[bytes]) -> list[bytes]:
    return list(dict.fromkeys(items))


def _uid(channel: CardChannel) -> str | None:
    response = channel.exchange(GET_UID)
    if response.sw != 0x9000:
        return None
    try:
        return CardUid(response.data).masked
    except InvalidCardUid:
        return None


def _ef_dir_aids(channel: CardChannel) -> list[bytes]:
    """AIDs in the application templates (``61 .. 4F len AID``) of EF.DIR under the MF, read
    by its SFI or, on a card without SFIs, after SELECT of its FID."""
    aids: list[bytes] = []
    by_fid = False
    for record in range(1, MAX_RECORDS + 1):
        response = channel.exchange(read_record_current(record) if by_fid else read_record_sfi(EF_DIR_SFI, record))
        if response.sw in (0x6A81, 0x6A86) and record == 1 and not by_fid:
            if channel.exchange(select_ef(EF_DIR_FID)).sw != 0x9000:
                break
            by_fid = True
            response = channel.exchange(read_record_current(record))
        if response.sw != 0x9000:
            break
        data = response.data
        at = data.find(b"\x4f")
        if data[:1] == b"\x61" and at >= 0 and at + 1 < len(data):
            aids.append(data[at + 2 : at + 2 + data[at + 1]])
    return aids


def _probe_application(channel: CardChannel, aid: bytes, source: str, fids: Sequence[bytes], report: ProbeReport) -> None:
    selected = channel.exchange(select_by_aid(aid))
    label = _aid_label(aid)
    report.applications.append(ApplicationAnswer(aid.hex().upper(), source, selected.sw, redacted_hex(selected.data)))
    if selected.sw != 0x9000:
        return
    # By short file identifier: stop at the first "not supported" (the card has no SFIs).
    for sfi in range(1, 31):
        binary = channel.exchange(read_binary_sfi(sfi))
        if binary.sw in (0x6A81, 0x6D00, 0x6E00):
            report.refusals.append(f"{label}: READ BINARY by SFI answered {binary.sw:04X}: no SFI addressing")
            break
        if _kept(report, binary, f"{label} / sfi {sfi} / binary", aid, "sfi", "binary", sfi=sfi):
            continue
        for record in range(1, MAX_RECORDS + 1):
            if not _kept(report, channel.exchange(read_record_sfi(sfi, record)), f"{label} / sfi {sfi} / record {record}", aid, "sfi", "record", sfi=sfi, record=record):
                break
    # The file the application makes current when selected.
    channel.exchange(select_by_aid(aid))
    current = channel.exchange(read_binary_current())
    if not _kept(report, current, f"{label} / current file / binary", aid, "current", "binary"):
        if current.sw in (0x6986, 0x6A82):
            report.refusals.append(f"{label}: READ BINARY of the current file answered {current.sw:04X}: no current EF")
        for record in range(1, MAX_RECORDS + 1):
            if not _kept(report, channel.exchange(read_record_current(record)), f"{label} / current file / record {record}", aid, "current", "record", record=record):
                break
    # By file identifier, each FID of the list.
    channel.exchange(select_by_aid(aid))
    for fid in fids:
        selected_ef = channel.exchange(select_ef(fid))
        if selected_ef.sw in (0x6A81, 0x6A86, 0x6D00):
            report.refusals.append(f"{label}: SELECT by FID answered {selected_ef.sw:04X}: no FID addressing")
            break
        if selected_ef.sw != 0x9000:
            continue
        place = f"{label} / fid {fid.hex().upper()}"
        if _kept(report, channel.exchange(read_binary_current()), f"{place} / binary", aid, "fid", "binary", fid=fid.hex().upper()):
            continue
        for record in range(1, MAX_RECORDS + 1):
            if not _kept(report, channel.exchange(read_record_current(record)), f"{place} / record {record}", aid, "fid", "record", fid=fid.hex().upper(), record=record):
                break


def _aid_label(aid: bytes) -> str:
    text = aid.decode("latin-1")
    shown = f" ({text})" if text.isascii() and text.isprintable() else ""
    return f"AID {aid.hex().upper()}{shown}"


def _kept(report: ProbeReport, response: ResponseApdu, place: str, aid: bytes, addressing: str, access: str, **where: Any) -> bool:
    """Records a read that gave data; False when it gave none (the caller stops that walk)."""
    if response.sw != 0x9000 or not response.data:
        return False
    report.reads.append(FileRead(place, aid.hex().upper(), addressing, access, len(response.data), tuple(find_numbers(response.data)), **where))
    return True


def _probe_mifare(channel: CardChannel, sectors: int, keys: Sequence[bytes], report: ProbeReport) -> None:
    by_type = False
    if channel.exchange(load_key(keys[0], 0)).sw != 0x9000:
        by_type = channel.exchange(load_key(keys[0], KeyType.A.code)).sw == 0x9000
        report.refusals.append(
            "LOAD KEY into slot 0 refused: " + ("the reader numbers keys by type (60/61)" if by_type else "no key numbering works")
        )
        if not by_type:
            return
    for sector in range(sectors):
        opened = _open_sector(channel, sector, keys, by_type)
        if opened is None:
            report.refusals.append(f"MIFARE sector {sector}: no key of the list opens it")
            continue
        for block in range(3 if sector < 32 else 15):
            response = channel.exchange(read_block(absolute_block(sector, block)))
            if response.sw == 0x9000 and len(response.data) == BLOCK_BYTES:
                found = tuple(find_numbers(response.data))
                key = (opened[0].hex().upper(), opened[1].value)
                report.reads.append(FileRead(
                    f"MIFARE sector {sector} / block {block}", "", "mifare", "block", BLOCK_BYTES, found,
                    sector=sector, block=block, key=key, keys_by_type=by_type,
                ))


def _open_sector(channel: CardChannel, sector: int, keys: Sequence[bytes], by_type: bool) -> tuple[bytes, KeyType] | None:
    for key_type in KeyType:
        slot, number = (key_type.code, 1) if by_type else (0, 0)
        for key in keys:
            if channel.exchange(load_key(key, slot)).sw != 0x9000:
                return None
            if channel.exchange(authenticate(absolute_block(sector, 0), key_type, number)).sw == 0x9000:
                return key, key_type
    return None


def _choose(report: ProbeReport) -> None:
    """The place a profile reads most cheaply: a file or block holding only the number."""
    candidates = [(read, found) for read in report.reads for found in read.found]
    if not candidates:
        if report.uid:
            report.reader_block = '[reader]\nprofiles = ["uid"]\n'
            report.verify_message = "no number on the card: the kiosk looks its UID up centrally (opet-central link-uid)"
        return

    def cost(item: tuple[FileRead, FoundNumber]) -> tuple[int, int, int]:
        read, found = item
        exact = found.exact if read.addressing != "mifare" else found.offset == 0
        return (0 if exact else 1, _ADDRESSING_COST.get(read.addressing, 0), 0 if found.encoding is NumberEncoding.ASCII else 1)
    report.best, report.best_number = min(candidates, key=cost)
    block = reader_block(report.best, report.best_number)
    if block is None:
        report.verify_message = (
            f"the number is at byte {report.best_number.offset} of a {report.best.length}-byte file: "
            "the iso7816 profile reads files holding only the number (padding after it allowed)"
        )
    report.reader_block = block


def reader_block(read: FileRead, found: FoundNumber) -> str | None:
    """The ``[reader]`` TOML that reads ``found`` where ``read`` found it, or None when no
    profile reads it there."""
    if read.addressing == "mifare":
        if found.offset != 0:
            return None
        key, key_type = read.key or ("FFFFFFFFFFFF", "A")
        return (
            '[reader]\nprofiles = ["mifare_classic"]\n\n[reader.mifare_classic]\n'
            f'sector = {read.sector}\nblock = {read.block}\nencoding = "{found.encoding.value}"\n'
            f'keys = [{{ key = "{key}", type = "{key_type}" }}]\n'
            + ('key_slot = "by_type"\nauth_key_number = 1\n' if read.keys_by_type else "")
        )
    if not found.exact:
        return None
    lines = ['[reader]', 'profiles = ["iso7816"]', '', '[reader.iso7816]', f'aid = "{read.aid}"', f'addressing = ["{read.addressing}"]']
    if read.sfi is not None:
        lines.append(f"sfi = {read.sfi}")
    if read.fid is not None:
        lines.append(f'fid = "{read.fid}"')
    lines.append(f'file_access = "{read.access}"')
    if read.record is not None:
        lines.append(f"record = {read.record}")
    lines.append(f'encoding = "{found.encoding.value}"')
    return "\n".join(lines) + "\n"


def reader_options(block: str) -> tuple[list[str], dict[str, Any]]:
    """The profile order and options of a ``[reader]`` block."""
    table = tomllib.loads(block)["reader"]
    order = list(table.get("profiles", ["iso7816"]))
    return order, {name: table[name] for name in order if isinstance(table.get(name), dict)}


def _verify(connection: CardConnection, report: ProbeReport) -> None:
    """Reads the card with the profiles the block builds: verified when the number matches."""
    if report.reader_block is None or report.best_number is None:
        return
    try:
        profiles = build_profiles(*reader_options(report.reader_block))
        identity, profile, addressing = read_identity(connection, profiles)
    except (ProfileConfigError, UnsupportedCard, ApduError) as exc:
        report.verify_message = f"reading with this block failed: {exc}"
        return
    report.verified = getattr(identity, "digits", None) == report.best_number.number.digits
    report.verify_message = f"read back by {profile} ({addressing}): {identity}"
