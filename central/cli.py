"""``opet-central``: run the service and administer its database.

Every command takes ``--database URL`` (default: ``$OPET_CENTRAL_DATABASE``, else
``sqlite:///$XDG_DATA_HOME/opet-central/central.db``) and first migrates the schema to the
newest Alembic revision, so a fresh machine needs no separate step (``migrate`` does only that).
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.api.observe import configure_logging
from central.api.schemas import AttendantActionView
from central.clock import FileClock, system_clock
from central.domain import cards, devices, staff
from central.domain.audit import list_actions
from central.domain.cards import Actor
from central.domain.demo_data import NotADemoDatabase, load_demo_data
from central.domain.earning import add_earn_rule
from central.domain.errors import DomainError
from central.domain.numbers import (
    MalformedNumber,
    MalformedUid,
    parse_card_number,
    parse_uid,
)
from central.domain.console_accounts import (
    MIN_PASSWORD_LENGTH,
    add_staff,
    disable_staff,
    reset_password,
    unlock_staff,
)
from central.domain.settings import Settings
from central.domain.text import visible_text
from central.domain.tokens import new_token
from central.storage.db import Database, default_database_url, migrate
from central.storage.models import (
    DeviceKind,
    FuelType,
    StaffRole,
    utcnow,
)

Command = Callable[[argparse.Namespace], int]
T = TypeVar("T")


class CliError(Exception):
    """A command that cannot be carried out; its message goes to stderr."""


def _write(args: argparse.Namespace, change: Callable[[Session], T]) -> T:
    database = Database.connect(args.database)
    try:
        with database.transaction() as session:
            return change(session)
    finally:
        database.dispose()


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.api.app import SERVE_ENVIRONMENT, create_app, serve_environment
    from central.api.workers import WorkersFailed, serve_workers, uvicorn_options

    settings = Settings(typed_lookups_per_minute=args.typed_lookups_per_minute,
                        tapped_lookups_per_minute=args.tapped_lookups_per_minute,
                        activation_failures_per_hour=args.activation_failures_per_hour,
                        sms_per_sender_per_hour=args.sms_per_sender_per_hour,
                        signin_failures_per_device_per_hour=args.signin_failures_per_device_per_hour,
                        pin_max_failures=args.pin_max_failures,
                        pin_lockout=dt.timedelta(seconds=args.pin_lockout),
                        attendant_lookups_per_hour=args.attendant_lookups_per_hour,
                        kiosk_silent_after=dt.timedelta(seconds=args.kiosk_silent_after),
                        attendant_idle_timeout=dt.timedelta(seconds=args.attendant_idle_timeout),
                        attendant_session_max=dt.timedelta(seconds=args.attendant_session_max),
                        console_idle_timeout=dt.timedelta(seconds=args.console_idle_timeout),
                        console_session_max=dt.timedelta(seconds=args.console_session_max),
                        console_max_failures=args.console_max_failures,
                        console_lockout=dt.timedelta(seconds=args.console_lockout),
                        log_every_request=args.log_every_request,
                        api_docs=args.docs,
                        clock=FileClock(args.clock_file) if args.clock_file else system_clock)
    options = uvicorn_options(args.keep_alive_seconds)
    if args.workers > 1:  # worker processes import the app by name and read their settings from the environment
        os.environ[SERVE_ENVIRONMENT] = serve_environment(args.database, settings)
        try:
            serve_workers(args.workers, args.host, args.port, options)
        except WorkersFailed as exc:
            raise CliError(str(exc)) from None
    else:
        uvicorn.run(create_app(args.database, settings), host=args.host, port=args.port, **options)
    return 0


KEEP_ALIVE_SECONDS = 75
"""How long ``serve`` keeps an idle keep-alive connection open.

It must outlast every client's own idle limit, so the client is always the side that drops an
idle connection: with both at uvicorn's and httpx's default of 5 s, a request sent on a
connection idle for just under 5 s met the server closing it ("Server disconnected without
sending a response"), and nginx in front (``keepalive_timeout 60s`` for the upstream in
deploy/central/nginx-opet-central.conf) would answer such a sale or replacement with a 502.
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _demo_data(args: argparse.Namespace) -> int:
    try:
        added = _write(args, lambda session: load_demo_data(session, force=args.force))
    except NotADemoDatabase as exc:
        raise CliError(f"{exc}; refusing to add the demo attendant and cards (--force to do it anyway)") from None
    print(f"demo data: {added} card(s) added", file=sys.stderr)
    return 0


def _open_token_file(path: str | None) -> int | None:
    """A new file at ``path`` that only its owner may read (0600), opened before any token exists."""
    if path is None:
        return None
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise CliError(f"cannot create --token-file {path!r}: {exc.strerror}") from None


def _hand_out(token: str, token_file: int | None, path: str | None) -> None:
    """Prints the token alone on stdout, or writes it to the 0600 file of ``--token-file``."""
    if token_file is None:
        print(token)
        return
    with os.fdopen(token_file, "w", encoding="ascii") as out:
        out.write(token + "\n")
    print(f"token written to {path} (mode 0600)", file=sys.stderr)


def _with_token_file(args: argparse.Namespace, change: Callable[[Session, str], None]) -> None:
    """Makes a token, stores its hash with ``change`` and hands the token out (the file is made first
    and removed again if the change fails, so a token is never stored without being handed out)."""
    token_file = _open_token_file(args.token_file)
    token = new_token()
    try:
        _write(args, lambda session: change(session, token))
    except BaseException:
        if token_file is not None:
            os.close(token_file)
            os.unlink(args.token_file)
        raise
    _hand_out(token, token_file, args.token_file)


def _add_device(args: argparse.Namespace) -> int:
    _with_token_file(args, lambda session, token: devices.add_device(session, DeviceKind(args.kind), args.name, token))
    return 0


def _rotate_device(args: argparse.Namespace) -> int:
    if args.grace_minutes < 0:
        raise CliError("--grace-minutes must be 0 or more")
    grace = dt.timedelta(minutes=args.grace_minutes)
    _with_token_file(args, lambda session, token: devices.rotate_device(session, args.name, token, grace, utcnow()))
    print(f"the old token of {args.name!r} stops after {args.grace_minutes} minute(s)", file=sys.stderr)
    return 0


def _revoke_device(args: argparse.Namespace) -> int:
    revoked = _write(args, lambda session: devices.revoke_device(session, args.name, utcnow()))
    print(f"revoked {revoked} token(s) of {args.name!r}", file=sys.stderr)
    return 0


def _list_devices(args: argparse.Namespace) -> int:
    for device in _write(args, devices.list_devices):
        print(json.dumps({
            "id": device.id, "kind": device.kind, "name": device.name, "revoked": device.revoked,
            "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
            "previous_token_until": device.previous_token_until.isoformat() if device.previous_token_until else None,
        }))
    return 0


def _read_pin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("PIN (4-8 digits): ")
    return sys.stdin.readline().strip()


def _add_attendant(args: argparse.Namespace) -> int:
    try:
        visible_text(args.name)  # refused before the PIN is asked for
    except ValueError as exc:
        raise CliError(str(exc)) from None
    pin = _read_pin()
    _write(args, lambda session: staff.add_attendant(session, args.code, args.name, pin))
    print(f"attendant {args.code!r} added", file=sys.stderr)
    return 0


def _disable_attendant(args: argparse.Namespace) -> int:
    ended = _write(args, lambda session: staff.disable_attendant(session, args.code, utcnow()))
    print(f"attendant {args.code!r}: disabled; {ended} live session(s) ended", file=sys.stderr)
    return 0


def _set_pin(args: argparse.Namespace) -> int:
    pin = _read_pin()
    ended = _write(args, lambda session: staff.set_pin(session, args.code, pin, utcnow()))
    print(f"attendant {args.code!r}: pin_changed; {ended} live session(s) ended", file=sys.stderr)
    return 0


def _unlock_attendant(args: argparse.Namespace) -> int:
    unlocked = _write(args, lambda session: staff.unlock_attendant(session, args.code))
    print(f"attendant {args.code!r}: " + ("wrong PINs and lockout cleared" if unlocked else "was not locked"),
          file=sys.stderr)
    return 0


def _attendant_actions(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    for row in _write(args, lambda session: list_actions(session, args.attendant, args.limit)):
        print(AttendantActionView.model_validate(row, from_attributes=True).model_dump_json())
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"password (at least {MIN_PASSWORD_LENGTH} characters): ")
    return sys.stdin.readline().rstrip("\n")


def _add_staff(args: argparse.Namespace) -> int:
    password = _read_password()
    _write(args, lambda session: add_staff(session, args.username, args.name, StaffRole(args.role), password))
    print(f"console account {args.username!r} ({args.role}) added", file=sys.stderr)
    return 0


def _disable_staff(args: argparse.Namespace) -> int:
    ended = _write(args, lambda session: disable_staff(session, args.username))
    print(f"console account {args.username!r} disabled; {ended} live session(s) ended", file=sys.stderr)
    return 0


def _reset_staff_password(args: argparse.Namespace) -> int:
    password = _read_password()
    ended = _write(args, lambda session: reset_password(session, args.username, password))
    print(f"console account {args.username!r}: new password; {ended} live session(s) ended", file=sys.stderr)
    return 0


def _unlock_staff(args: argparse.Namespace) -> int:
    unlocked = _write(args, lambda session: unlock_staff(session, args.username))
    print(f"console account {args.username!r}: " + ("lockout lifted" if unlocked else "was not locked"),
          file=sys.stderr)
    return 0


def _add_earn_rule(args: argparse.Namespace) -> int:
    try:
        start = dt.date.fromisoformat(args.effective_from)
    except ValueError:
        raise CliError("--effective-from must be a date, YYYY-MM-DD") from None
    _write(args, lambda session: add_earn_rule(session, FuelType(args.fuel_type), args.rate_percent, start))
    return 0


def _block_card(args: argparse.Namespace) -> int:
    number = _number(args.number)
    _write(args, lambda session: cards.block_card(session, number, Actor()))
    return 0


def _link_uid(args: argparse.Namespace) -> int:
    number = _number(args.number)
    try:
        uid = parse_uid(args.uid)
    except MalformedUid as exc:
        raise CliError(str(exc)) from None
    try:
        _write(args, lambda session: cards.link_card_uid(session, number, uid))
    except cards.UidTaken as exc:
        raise CliError(str(exc)) from None
    return 0


def _number(text: str) -> str:
    try:
        return parse_card_number(text)
    except MalformedNumber as exc:
        raise CliError(str(exc)) from None


def _openapi(_args: argparse.Namespace) -> int:
    from central.api.openapi import openapi_text

    sys.stdout.write(openapi_text())
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opet-central", description="Opet Kart central balance service")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Command, help_text: str, database: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if database:
            sub.add_argument("--database", default=None, help=(
                "SQLAlchemy URL (default: $OPET_CENTRAL_DATABASE, else SQLite under $XDG_DATA_HOME/opet-central)"))
        sub.set_defaults(handler=handler, uses_database=database)
        return sub

    serve = command("serve", _serve, "run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=_positive, default=1,
                       help="service processes, each accepting on a SO_REUSEPORT socket of its own on the port "
                            "(default: %(default)s); limits are in the database and shared, /metrics counters "
                            "are kept per process")
    serve.add_argument("--typed-lookups-per-minute", type=_positive, default=Settings.typed_lookups_per_minute,
                       help="per-device budget of look-ups of typed numbers (default: %(default)s)")
    serve.add_argument("--tapped-lookups-per-minute", type=_positive, default=Settings.tapped_lookups_per_minute,
                       help="per-device budget of look-ups of tapped cards (default: %(default)s)")
    serve.add_argument("--activation-failures-per-hour", type=_positive,
                       default=Settings.activation_failures_per_hour,
                       help="failed activations allowed per card, online and by SMS together (default: %(default)s)")
    serve.add_argument("--sms-per-sender-per-hour", type=_positive, default=Settings.sms_per_sender_per_hour,
                       help="activation SMS per phone that activate nothing (default: %(default)s)")
    serve.add_argument("--signin-failures-per-device-per-hour", type=_positive,
                       default=Settings.signin_failures_per_device_per_hour,
                       help="attendant sign-ins per device that are not right (default: %(default)s)")
    serve.add_argument("--pin-max-failures", type=_positive, default=Settings.pin_max_failures,
                       help="wrong PINs in a row that lock an attendant code (default: %(default)s)")
    serve.add_argument("--pin-lockout", type=float, default=Settings.pin_lockout.total_seconds(),
                       help="seconds of the first lockout; each one in a row lasts twice as long (default: %(default)s)")
    serve.add_argument("--attendant-lookups-per-hour", type=_positive, default=Settings.attendant_lookups_per_hour,
                       help="card look-ups and holder searches per attendant (default: %(default)s)")
    serve.add_argument("--kiosk-silent-after", type=float, default=Settings.kiosk_silent_after.total_seconds(),
                       help="seconds without a heartbeat before a kiosk counts as silent (default: %(default)s)")
    serve.add_argument("--attendant-idle-timeout", type=float,
                       default=Settings.attendant_idle_timeout.total_seconds(),
                       help="seconds without a request that end an attendant session (default: %(default)s)")
    serve.add_argument("--attendant-session-max", type=float,
                       default=Settings.attendant_session_max.total_seconds(),
                       help="seconds after sign-in that end an attendant session (default: %(default)s)")
    serve.add_argument("--console-idle-timeout", type=float, default=Settings.console_idle_timeout.total_seconds(),
                       help="seconds without a request that end a web-console session (default: %(default)s)")
    serve.add_argument("--console-session-max", type=float, default=Settings.console_session_max.total_seconds(),
                       help="seconds after sign-in that end a web-console session (default: %(default)s)")
    serve.add_argument("--console-max-failures", type=_positive, default=Settings.console_max_failures,
                       help="wrong console passwords in a row that lock a username (default: %(default)s)")
    serve.add_argument("--console-lockout", type=float, default=Settings.console_lockout.total_seconds(),
                       help="seconds of a console username's first lockout, doubled for each lockout in a row "
                            "(default: %(default)s)")
    serve.add_argument("--keep-alive-seconds", type=float, default=KEEP_ALIVE_SECONDS,
                       help="seconds an idle keep-alive connection stays open; keep it above every client's and "
                            "proxy's own idle limit (default: %(default)s)")
    serve.add_argument("--log-every-request", action="store_true",
                       help="log successful reads too (default: only changes, failures and slow requests)")
    serve.add_argument("--clock-file", default=None, metavar="PATH",
                       help="tests and drills only: run the service's clock this many seconds (read from PATH "
                            "whenever it changes) ahead of the system's")
    serve.add_argument("--docs", action="store_true",
                       help="serve /openapi.json, /docs and /redoc (default: off, as in production)")
    demo = command("demo-data", _demo_data, "add the demo cards and attendant 1001 (idempotent; only on an empty "
                                            "or demo database)")
    demo.add_argument("--force", action="store_true", help="add them even to a database with other data")
    token_file_help = "write the token to this new file, created 0600, instead of stdout"
    add_device = command("add-device", _add_device, "register a device and print its token once, alone on stdout")
    add_device.add_argument("--kind", required=True, choices=[kind.value for kind in DeviceKind])
    add_device.add_argument("--name", required=True)
    add_device.add_argument("--token-file", default=None, help=token_file_help)
    rotate = command("rotate-device", _rotate_device,
                     "give a device a new token (printed once); the old one works for the grace period, then stops")
    rotate.add_argument("--name", required=True)
    rotate.add_argument("--grace-minutes", type=int, required=True,
                        help="minutes the old token keeps working (0: it stops at once)")
    rotate.add_argument("--token-file", default=None, help=token_file_help)
    command("revoke-device", _revoke_device, "revoke every token of a device").add_argument("--name", required=True)
    command("list-devices", _list_devices, "list devices as JSON lines (never their tokens)")
    add_attendant = command("add-attendant", _add_attendant, "add an attendant; the PIN is read from stdin")
    add_attendant.add_argument("--code", required=True)
    add_attendant.add_argument("--name", required=True)
    command("unlock-attendant", _unlock_attendant, "lift a PIN lockout").add_argument("--code", required=True)
    command("disable-attendant", _disable_attendant,
            "stop an attendant signing in and end their live sessions").add_argument("--code", required=True)
    command("set-pin", _set_pin, "change an attendant's PIN (read from stdin) and end their live sessions"
            ).add_argument("--code", required=True)
    actions = command("attendant-actions", _attendant_actions,
                      "print the attendant audit as JSON lines, newest first")
    actions.add_argument("--attendant", default=None, help="only this attendant code")
    actions.add_argument("--limit", type=int, default=100, help="at most this many rows (default: %(default)s)")
    add_staff_command = command("add-staff", _add_staff,
                                "add a web-console account (agent or admin); the password is read from stdin")
    add_staff_command.add_argument("--username", required=True)
    add_staff_command.add_argument("--name", required=True, help="the name shown in the console and the audit")
    add_staff_command.add_argument("--role", required=True, choices=[role.value for role in StaffRole])
    command("disable-staff", _disable_staff, "stop a console account signing in and end its sessions"
            ).add_argument("--username", required=True)
    command("reset-staff-password", _reset_staff_password,
            "give a console account a new password (read from stdin) and end its sessions"
            ).add_argument("--username", required=True)
    command("unlock-staff", _unlock_staff, "lift a console account's lockout").add_argument("--username", required=True)
    earn_rule = command("add-earn-rule", _add_earn_rule, "add an earn rate in force from a date")
    earn_rule.add_argument("--fuel-type", required=True, choices=[fuel.value for fuel in FuelType])
    earn_rule.add_argument("--rate-percent", required=True, help="e.g. 0.5")
    earn_rule.add_argument("--effective-from", required=True, help="station date, YYYY-MM-DD")
    command("block-card", _block_card, "block a card (lost or stolen)").add_argument("--number", required=True)
    link = command("link-uid", _link_uid, "link a contactless chip UID to a card (idempotent)")
    link.add_argument("--number", required=True)
    link.add_argument("--uid", required=True, help="8, 14 or 20 hex digits")
    command("openapi", _openapi, "print the OpenAPI document", database=False)
    command("migrate", _migrate, "only bring the schema up to date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``opet-central`` console script."""
    args = _parser().parse_args(argv)
    if args.uses_database and args.database is None:
        args.database = default_database_url()
    configure_logging()
    try:
        if args.uses_database:
            migrate(args.database)
        return args.handler(args)
    except CliError as exc:
        print(f"opet-central {args.command}: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"opet-central {args.command}: {exc.message}", file=sys.stderr)
        return 2
    except IntegrityError:
        print(f"opet-central {args.command}: that already exists", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
