"""``opet-central``: run the service and administer its database.

Every command takes ``--database URL`` (default: ``$OPET_CENTRAL_DATABASE``, else
``sqlite:///$XDG_DATA_HOME/opet-central/central.db``) and first migrates the schema to the
newest Alembic revision, so a fresh machine needs no separate step (``migrate`` does only that).
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from central.auth import hash_token, new_token
from central.db import Database, default_database_url, migrate
from central.demo_data import load_demo_data
from central.models import Device, DeviceKind

Command = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.app import create_app

    app = create_app(args.database)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info", log_config=None)
    return 0


def _demo_data(args: argparse.Namespace) -> int:
    database = Database.connect(args.database)
    try:
        with database.writer() as session, session.begin():
            added = load_demo_data(session)
    finally:
        database.dispose()
    print(f"demo data: {added} card(s) added", file=sys.stderr)
    return 0


def _add_device(args: argparse.Namespace) -> int:
    token = new_token()
    database = Database.connect(args.database)
    try:
        with database.writer() as session, session.begin():
            session.add(Device(kind=args.kind, name=args.name, token_hash=hash_token(token)))
    finally:
        database.dispose()
    print(token)
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opet-central", description="Opet Kart central balance service")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--database", default=default_database_url(), help="SQLAlchemy URL (default: %(default)s)")
        sub.set_defaults(handler=handler)
        return sub

    serve = command("serve", _serve, "run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    command("demo-data", _demo_data, "add the demo cards (idempotent)")
    add_device = command("add-device", _add_device, "register a device and print its token once")
    add_device.add_argument("--kind", required=True, choices=[kind.value for kind in DeviceKind])
    add_device.add_argument("--name", required=True)
    command("migrate", _migrate, "only bring the schema up to date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``opet-central`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    migrate(args.database)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
