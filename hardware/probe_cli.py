"""``opet-reader probe``: waits for a card, probes it (:mod:`hardware.probe`), prints the report.

    opet-reader probe [--reader NAME] [--timeout S] [--aid HEX]... [--fid HEX]... [--key HEX]... [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from hardware.apdu import ApduError
from hardware.exit_codes import EXIT_NO_SERVICE, EXIT_OK, EXIT_READ_FAILED, EXIT_TIMEOUT
from hardware.pcsc import STATE_UNAWARE, CardRemovedError, Context, PcscCardConnection, PcscError, ServiceUnavailable
from hardware.probe import ProbeReport, probe


def add_probe_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a card (default 30)")
    command.add_argument("--aid", action="append", default=[], type=_hex, help="an application to try first (hex; repeatable)")
    command.add_argument("--fid", action="append", default=[], type=_hex, help="a file identifier to try first (4 hex digits; repeatable)")
    command.add_argument("--key", action="append", default=[], type=_hex, help="a MIFARE Classic key to try first (12 hex digits; repeatable)")


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not hex") from None


def cmd_probe(args: argparse.Namespace) -> int:
    try:
        with Context() as context:
            reader = _wait_for_card(context, args.reader, args.timeout)
            if reader is None:
                return _fail(args.json, "timeout", f"no card within {args.timeout:g} s", EXIT_TIMEOUT)
            with PcscCardConnection(context, reader) as connection:
                report = probe(connection, reader, args.aid, args.fid, args.key)
    except ServiceUnavailable as exc:
        return _fail(args.json, "no_service", f"PC/SC service unavailable: {exc}", EXIT_NO_SERVICE)
    except CardRemovedError:
        return _fail(args.json, "card_removed", "the card was taken away during the probe: hold it still and try again", EXIT_READ_FAILED)
    except (PcscError, ApduError) as exc:
        return _fail(args.json, "probe_failed", str(exc), EXIT_READ_FAILED)
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else report_text(report))
    return EXIT_OK if report.reader_block else EXIT_READ_FAILED


def _wait_for_card(context: Context, name_filter: str | None, timeout: float) -> str | None:
    """The first wanted reader with a card in it, waiting up to ``timeout``."""
    deadline = time.monotonic() + timeout
    wanted = name_filter.casefold() if name_filter else None
    readers = [name for name in context.list_readers() if wanted is None or wanted in name.casefold()]
    if not readers:
        raise PcscError("SCardListReaders", 0x8010002E)  # SCARD_E_NO_READERS_AVAILABLE
    states = {name: STATE_UNAWARE for name in readers}
    while (remaining := deadline - time.monotonic()) > 0:
        changes = context.get_status_change(max(1, int(remaining * 1000)), list(states.items()))
        if changes is None:
            return None
        for change in changes:
            if change.present:
                return change.reader
            states[change.reader] = change.current
    return None


def _fail(as_json: bool, error: str, message: str, code: int) -> int:
    if as_json:
        print(json.dumps({"error": error, "message": message}))
    else:
        print(f"opet-reader probe: {message}", file=sys.stderr)
    return code


def report_text(report: ProbeReport) -> str:
    """The report for a person: what was seen, then the block to paste."""
    atr = report.atr
    lines = [f"Reader: {report.reader}", f"ATR: {atr.atr.hex().upper()}"]
    lines.append(f"  protocols: {', '.join(atr.protocols)}")
    shown = f' ("{atr.historical_text}")' if atr.historical_text else ""
    lines.append(f"  historical bytes: {atr.historical.hex().upper() or 'none'}{shown}")
    lines.append(f"  interface: {atr.interface}")
    if atr.storage_card:
        lines.append(f"  storage card (PC/SC part 3): {atr.storage_card}")
    if atr.families:
        lines.append(f"  card family ({atr.family_source}):")
        lines += [f"    {family}" for family in atr.families]
    else:
        lines.append(f"  card family: unknown ({atr.family_source})")
    lines.append(f"UID: {report.uid or 'none (the reader gives no UID for this card)'}")
    if report.applications:
        lines.append("Applications (SELECT by AID):")
        for app in report.applications:
            fci = f"  FCI {app.fci}" if app.fci else ""
            lines.append(f"  {app.aid} ({app.source}): {app.sw:04X}{fci}")
    lines.append("Readable:" if report.reads else "Readable: nothing")
    for read in (read for read in report.reads if read.found):
        numbers = ", ".join(
            f"number {found.number.masked} ({found.encoding.value}, byte {found.offset}{', whole file' if found.exact else ''})"
            for found in read.found
        )
        lines.append(f"  {read.place}: {read.length} bytes  {numbers}")
    empty = [f"{read.place} ({read.length} bytes)" for read in report.reads if not read.found]
    if empty:
        lines.append(f"  without a number: {'; '.join(empty)}")
    if report.refusals:
        lines.append("Refused:")
        lines += [f"  {refusal}" for refusal in report.refusals]
    if report.best_number is not None and report.best is not None:
        found = report.best_number
        lines.append(f"Number: {found.number.masked} at {report.best.place}, {found.encoding.value}")
    elif not report.uid:
        lines.append("Number: not found (try --aid, --fid or --key with what the card issuer documents)")
    if report.reader_block:
        state = "verified" if report.verified else "NOT verified"
        lines.append(f"[reader] block ({state}: {report.verify_message}); paste into the kiosk's configuration:")
        lines.append("")
        lines.append(report.reader_block.rstrip())
    elif report.verify_message:
        lines.append(f"No [reader] block: {report.verify_message}")
    lines.append("")
    lines.append(f"({report.apdus} APDUs sent)")
    return "\n".join(lines)
