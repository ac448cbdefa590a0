"""A card with a small ISO 7816-4 file system, written apart from the reader's profiles.

It does not share the profiles' command builders or parser: it decodes the raw bytes itself,
the way a simple card operating system or Java Card applet would, so that a profile that only
works against cards built from its own code would fail here. What it understands:

- SELECT by DF name (``00 A4 04 ..``): the application becomes the current DF, and its
  ``current_file`` (if any) the current EF, as many applets do;
- SELECT of an EF by file identifier (``00 A4 02 ..`` or ``00 A4 00 ..`` with two data bytes)
  in the current DF, unless ``select_by_fid`` is off (then ``6A86``);
- READ BINARY of the current EF (P1 bit 8 clear, offset in P1-P2), or of an EF named by its
  short identifier (P1 bit 8 set) unless ``read_by_sfi`` is off (then ``6A81``);
- READ RECORD of the current EF (P2 ``04``) or by short identifier (P2 ``SFI << 3 | 4``).

Before any SELECT the master file (MF) is the current DF; its files are ``master_files``
(EF.DIR, FID ``2F00`` / SFI 30, lists applications in records ``61 .. 4F len AID``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hardware.atr import with_tck

OPET_AID = bytes.fromhex("F04F5045544B415254")  # F0 + "OPETKART", spelled here on purpose
# A T=1 contact card, historical bytes "FILECARD" (not the loyalty card's "OPETKART").
FILE_CARD_ATR = with_tck(bytes.fromhex("3B8880") + b"\x01" + b"FILECARD")

_OK = b"\x90\x00"


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


@dataclass(frozen=True)
class ElementaryFile:
    """A transparent EF (``data``) or a record EF (``records``, numbered from 1)."""

    fid: bytes
    sfi: int | None = None
    data: bytes = b""
    records: tuple[bytes, ...] = ()

    @property
    def is_record_file(self) -> bool:
        return bool(self.records)


@dataclass(frozen=True)
class Application:
    """A DF selected by its name (AID), its EFs, and the EF current right after its SELECT."""

    aid: bytes
    files: tuple[ElementaryFile, ...]
    current_file: bytes | None = None


def ef_dir(*aids: bytes) -> ElementaryFile:
    """EF.DIR (FID 2F00, SFI 30) listing ``aids``, one application template a record."""
    records = tuple(bytes((0x61, len(aid) + 2, 0x4F, len(aid))) + aid for aid in aids)
    return ElementaryFile(b"\x2f\x00", 30, records=records)


def number_applet(digits: str, aid: bytes = OPET_AID) -> FileSystemCard:
    """The card of issue 19: the application's current file after SELECT holds the number in
    ASCII, read by plain READ BINARY; READ BINARY by short file identifier gets ``6A81``."""
    number_file = ElementaryFile(b"\x00\x01", data=digits.encode("ascii"))
    return FileSystemCard((Application(aid, (number_file,), current_file=b"\x00\x01"),), read_by_sfi=False)


@dataclass
class FileSystemCard:
    """A contact card answering like a small ISO 7816-4 file system (see the module doc)."""

    applications: tuple[Application, ...]
    master_files: tuple[ElementaryFile, ...] = ()
    read_by_sfi: bool = True
    select_by_fid: bool = True
    atr: bytes = FILE_CARD_ATR
    commands: list[bytes] = field(default_factory=list, repr=False)  # every APDU received
    _df: Application | None = field(default=None, init=False)
    _ef: ElementaryFile | None = field(default=None, init=False)

    def reset(self) -> None:
        self._df = None
        self._ef = None

    def transmit(self, command: bytes) -> bytes:
        self.commands.append(command)
        if len(command) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = command[:4]
        body = command[4:]
        if cla != 0x00:
            return _sw(0x6E00)
        if ins == 0xA4:
            return self._select(p1, p2, body)
        if ins == 0xB0:
            return self._read_binary(p1, p2, _le(body))
        if ins == 0xB2:
            return self._read_record(p1, p2, _le(body))
        return _sw(0x6D00)

    # --- SELECT ---------------------------------------------------------------------------
    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if not body or len(body) < 1 + body[0]:
            return _sw(0x6700)
        name = body[1 : 1 + body[0]]
        if p1 == 0x04:
            for application in self.applications:
                if application.aid == name:
                    self._df = application
                    self._ef = self._file(application.current_file) if application.current_file else None
                    fci = b"\x6f" + bytes((len(name) + 2, 0x84, len(name))) + name
                    return _OK if p2 & 0x0C == 0x0C else fci + _OK
            return _sw(0x6A82)
        if p1 in (0x00, 0x02) and len(name) == 2:
            if not self.select_by_fid:
                return _sw(0x6A86)
            found = self._file(name)
            if found is None:
                return _sw(0x6A82)
            self._ef = found
            return _OK
        return _sw(0x6A86)

    # --- reads ----------------------------------------------------------------------------
    def _read_binary(self, p1: int, p2: int, le: int) -> bytes:
        if p1 & 0x80:
            if not self.read_by_sfi:
                return _sw(0x6A81)
            target, offset = self._by_sfi(p1 & 0x1F), p2
            if target is None:
                return _sw(0x6A82)
        else:
            target, offset = self._ef, (p1 << 8) | p2
            if target is None:
                return _sw(0x6986)  # no current EF
        if target.is_record_file:
            return _sw(0x6981)
        if offset > len(target.data) or (offset == len(target.data) and offset):
            return _sw(0x6B00)
        return target.data[offset : offset + le] + _OK

    def _read_record(self, p1: int, p2: int, le: int) -> bytes:
        if p2 & 0x07 != 0x04 or p1 == 0:
            return _sw(0x6A86)
        sfi = p2 >> 3
        if sfi:
            if not self.read_by_sfi:
                return _sw(0x6A81)
            target = self._by_sfi(sfi)
            if target is None:
                return _sw(0x6A82)
        else:
            target = self._ef
            if target is None:
                return _sw(0x6986)
        if not target.is_record_file:
            return _sw(0x6981)
        if p1 > len(target.records):
            return _sw(0x6A83)
        return target.records[p1 - 1][:le] + _OK

    def _files(self) -> tuple[ElementaryFile, ...]:
        return self._df.files if self._df is not None else self.master_files

    def _file(self, fid: bytes) -> ElementaryFile | None:
        return next((ef for ef in self._files() if ef.fid == fid), None)

    def _by_sfi(self, sfi: int) -> ElementaryFile | None:
        return next((ef for ef in self._files() if ef.sfi == sfi), None)


def _le(body: bytes) -> int:
    """Le of a case-2 command (``00`` = 256); commands here carry no data with an Le."""
    if len(body) != 1:
        return 256
    return body[0] or 256
