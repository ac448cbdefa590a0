"""``opet-reader list|watch|read|probe [--json]``: the reader diagnostic.

``list`` shows readers and their state; ``watch`` prints every reader event and tap (profile,
addressing, ATR, masked number, read time) until interrupted; ``read`` waits for one tap and
prints it; ``watch`` and ``read`` take the kiosk's ``[reader]`` section with ``--config FILE``.
``probe`` waits for a card and shows what it holds and the ``[reader]`` block that reads it
(:mod:`hardware.probe`). Numbers are always masked. Exit codes: 0 done, 1 the card could not
be read (probe: no number found), 2 no PC/SC service, 3 timed out waiting for a card.
"""
from __future__ import annotations

import argparse
import json
import logging
import queue
import sys
import time
from collections.abc import Sequence
from typing import Any

from hardware.exit_codes import EXIT_NO_SERVICE, EXIT_OK, EXIT_READ_FAILED, EXIT_TIMEOUT
from hardware.pcsc import PcscError
from hardware.profiles.config import ProfileConfigError, build_profiles
from hardware.readers import reader_statuses
from hardware.reader_section import ReaderSection, ReaderSectionError, default_section, read_section
from hardware.probe_cli import add_probe_arguments, cmd_probe
from hardware.watcher import CardRead, CardWatcher, ProblemKind, ReaderProblem

DIAGNOSTIC_PROFILES = ("iso7816", "mifare_classic", "uid")

Event = tuple[str, Any]


class QueueListener:
    """A card listener that hands every event to the main thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()

    def card_presented(self, reader: str) -> None:
        self.events.put(("card_presented", reader))

    def card_read(self, read: CardRead) -> None:
        self.events.put(("card_read", read))

    def card_removed(self, reader: str) -> None:
        self.events.put(("card_removed", reader))

    def reader_problem(self, problem: ReaderProblem) -> None:
        self.events.put(("reader_problem", problem))

    def readers_changed(self, readers: list[str]) -> None:
        self.events.put(("readers_changed", readers))


def event_record(kind: str, payload: Any) -> dict[str, Any]:
    """An event as a JSON-ready dict; numbers and UIDs masked."""
    if kind == "card_read":
        read: CardRead = payload
        return {
            "event": kind,
            "reader": read.reader,
            "profile": read.profile,
            "addressing": read.addressing,
            "atr": read.atr.hex().upper(),
            "number": read.number.masked if read.number else None,
            "uid": read.uid.masked if read.uid else None,
            "read_ms": round(read.read_seconds * 1000, 2),
        }
    if kind == "reader_problem":
        problem: ReaderProblem = payload
        return {"event": kind, "kind": problem.kind.value, "message": problem.message, "reader": problem.reader}
    if kind == "readers_changed":
        return {"event": kind, "readers": payload}
    return {"event": kind, "reader": payload}


def event_text(record: dict[str, Any]) -> str:
    """One line for a person."""
    kind = record["event"]
    if kind == "card_read":
        who = record["number"] or record["uid"]
        return f"{record['reader']}: {who}  profile {record['profile']} ({record['addressing']})  ATR {record['atr']}  read in {record['read_ms']:.1f} ms"
    if kind == "reader_problem":
        where = f"{record['reader']}: " if record["reader"] else ""
        return f"{where}problem {record['kind']}: {record['message']}"
    if kind == "readers_changed":
        return "readers: " + (", ".join(record["readers"]) or "none")
    return f"{record['reader']}: {'card presented' if kind == 'card_presented' else 'card removed'}"


def _print(record: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(record, ensure_ascii=False) if as_json else event_text(record), flush=True)


def cmd_list(args: argparse.Namespace) -> int:
    try:
        statuses = reader_statuses()
    except PcscError as exc:
        return _no_service(exc, args.json)
    if args.json:
        readers = [{"name": s.name, "state": s.state, "atr": s.atr.hex().upper() or None} for s in statuses]
        print(json.dumps({"readers": readers}, ensure_ascii=False))
        return EXIT_OK
    if not statuses:
        print("no readers")
    for status in statuses:
        print(f"{status.name}: {status.state}" + (f"  ATR {status.atr.hex().upper()}" if status.atr else ""))
    return EXIT_OK


def _no_service(exc: Exception, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": "no_service", "message": str(exc)}))
    else:
        print(f"opet-reader: PC/SC service unavailable: {exc}", file=sys.stderr)
    return EXIT_NO_SERVICE


def _section(args: argparse.Namespace) -> ReaderSection:
    """The ``[reader]`` settings: from ``--config``, else the diagnostic's own; ``--profiles``
    and ``--reader`` override either."""
    section = read_section(args.config) if args.config else default_section(DIAGNOSTIC_PROFILES)
    if args.profiles:
        section = section._replace(profiles=tuple(name.strip() for name in args.profiles.split(",") if name.strip()))
    if args.reader:
        section = section._replace(name_filter=args.reader)
    return section


def _watcher(args: argparse.Namespace, listener: QueueListener) -> CardWatcher:
    section = _section(args)
    profiles = build_profiles(section.profiles, section.options)
    return CardWatcher(listener, profiles, reader_filter=section.name_filter or None, tap_feedback=section.feedback)


def cmd_watch(args: argparse.Namespace) -> int:
    listener = QueueListener()
    watcher = _watcher(args, listener)
    watcher.start()
    deadline = time.monotonic() + args.timeout if args.timeout else None
    reads = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            try:
                kind, payload = listener.events.get(timeout=0.5)
            except queue.Empty:
                continue
            _print(event_record(kind, payload), args.json)
            reads += kind == "card_read"
            if args.count and reads >= args.count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    return EXIT_OK


def cmd_read(args: argparse.Namespace) -> int:
    listener = QueueListener()
    watcher = _watcher(args, listener)
    watcher.start()
    deadline = time.monotonic() + args.timeout
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                kind, payload = listener.events.get(timeout=remaining)
            except queue.Empty:
                break
            if kind == "card_read":
                _print(event_record(kind, payload), args.json)
                return EXIT_OK
            if kind == "reader_problem" and payload.kind not in (ProblemKind.NO_READER, ProblemKind.SERVICE_DOWN):
                _print(event_record(kind, payload), args.json)
                return EXIT_READ_FAILED
            if not args.json and kind in ("readers_changed", "reader_problem"):
                print(event_text(event_record(kind, payload)), file=sys.stderr)
    finally:
        watcher.stop()
    if args.json:
        print(json.dumps({"error": "timeout", "message": f"no card within {args.timeout:g} s"}))
    else:
        print(f"opet-reader: no card within {args.timeout:g} s", file=sys.stderr)
    return EXIT_TIMEOUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opet-reader", description="Card reader diagnostics (numbers are masked).")
    parser.add_argument("-v", "--verbose", action="store_true", help="log the watcher's own messages to stderr")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("list", "readers and their state"),
        ("watch", "print reader events and taps"),
        ("read", "wait for one tap"),
        ("probe", "wait for a card, show what it holds and the [reader] block that reads it"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--json", action="store_true", help="machine-readable output (one JSON object a line)")
        if name != "list":
            command.add_argument("--reader", help="only readers whose name contains this")
        if name in ("watch", "read"):
            command.add_argument("--config", help="the kiosk's configuration file: use its [reader] section")
            command.add_argument(
                "--profiles",
                help=f"card profiles to try, in order (default: the config's, else {','.join(DIAGNOSTIC_PROFILES)})",
            )
    commands.choices["watch"].add_argument("--count", type=int, default=0, help="stop after this many reads")
    commands.choices["watch"].add_argument("--timeout", type=float, default=0.0, help="stop after this many seconds")
    commands.choices["read"].add_argument("--timeout", type=float, default=30.0, help="seconds to wait (default 30)")
    add_probe_arguments(commands.choices["probe"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if args.command in ("watch", "read"):
        try:
            section = _section(args)
            build_profiles(section.profiles, section.options)
        except (ProfileConfigError, ReaderSectionError) as exc:
            parser.error(str(exc))
    return {"list": cmd_list, "watch": cmd_watch, "read": cmd_read, "probe": cmd_probe}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
