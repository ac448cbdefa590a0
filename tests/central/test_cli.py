"""The admin commands of ``opet-central`` on a temporary SQLite database (run in this process)."""
from __future__ import annotations

import contextlib
import io

import pytest
from sqlalchemy import func, select

from central import cli
from central.storage.db import Database
from central.storage.models import Attendant, Card, CardEvent, Device, Holder
from central.domain.tokens import hash_token


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(url: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([*args, "--database", url])
    return code, out.getvalue()


def test_add_device_prints_only_the_token_and_stores_only_its_hash(url):
    code, out = run(url, "add-device", "--kind", "kiosk", "--name", "k1")
    token = out.strip()
    assert code == 0 and out == token + "\n" and token.startswith("opk_")
    database = Database.connect(url)
    with database.reader() as session:
        device = session.scalars(select(Device)).one()
    database.dispose()
    assert device.token_hash == hash_token(token) and token not in device.token_hash


def test_demo_data_is_idempotent(url):
    assert run(url, "demo-data")[0] == 0
    assert run(url, "demo-data")[0] == 0
    database = Database.connect(url)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == 6  # four demo cards, two blank new ones
        assert session.scalar(select(func.count()).select_from(CardEvent)) == 4  # the non-zero demo pots
        assert session.scalar(select(func.count()).select_from(Attendant)) == 1
        assert session.scalars(select(Holder.phone).order_by(Holder.id)).all() == ["+905551234567", "+905329876543"]
    database.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ("add-earn-rule", "--fuel-type", "dizel", "--rate-percent", "half", "--effective-from", "2030-01-01"),
        ("add-earn-rule", "--fuel-type", "dizel", "--rate-percent", "0.00001", "--effective-from", "2030-01-01"),
        ("add-earn-rule", "--fuel-type", "dizel", "--rate-percent", "0.5", "--effective-from", "2030-13-01"),
        ("add-earn-rule", "--fuel-type", "dizel", "--rate-percent", "0.5", "--effective-from", "2015-06-10"),
        ("block-card", "--number", "7000070000000008"),
        ("block-card", "--number", "1234"),
        ("revoke-device", "--name", "nobody"),
        ("unlock-attendant", "--code", "nobody"),
        ("disable-attendant", "--code", "nobody"),
        ("rotate-device", "--name", "nobody", "--grace-minutes", "5"),
        ("rotate-device", "--name", "nobody", "--grace-minutes", "-1"),
        ("add-attendant", "--code", "x1", "--name", "GİZLİ\u202eADAM"),
    ],
)
def test_bad_admin_commands_fail_with_a_message(url, args, capsys):
    assert run(url, *args)[0] == 2
    assert capsys.readouterr().err.startswith(f"opet-central {args[0]}: ")


def test_rotating_a_name_two_devices_share_is_refused(url, capsys):
    assert run(url, "add-device", "--kind", "kiosk", "--name", "twin")[0] == 0
    assert run(url, "add-device", "--kind", "kiosk", "--name", "twin")[0] == 0
    assert run(url, "rotate-device", "--name", "twin", "--grace-minutes", "5") == (2, "")
    assert "2 active devices" in capsys.readouterr().err


def test_a_token_file_is_never_written_over_and_a_failed_command_leaves_none(url, tmp_path, capsys):
    existing = tmp_path / "existing"
    existing.write_text("keep me\n")
    assert run(url, "add-device", "--kind", "kiosk", "--name", "k", "--token-file", str(existing)) == (2, "")
    assert existing.read_text() == "keep me\n"
    target = tmp_path / "rotated"
    assert run(url, "rotate-device", "--name", "nobody", "--grace-minutes", "5", "--token-file", str(target))[0] == 2
    assert not target.exists()
    database = Database.connect(url)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 0
    database.dispose()
