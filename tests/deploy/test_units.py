"""The systemd units under deploy/: `systemd-analyze verify` and `security --offline` in a
throwaway root, plus the properties the kiosk relies on (watchdog, restart, pcscd)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.deploy.helpers import DEPLOY, HOST_UNITS, require_tool, run

UNITS = sorted(DEPLOY.rglob("*.service"))
# Exposure score ceilings (systemd-analyze security, in tenths): hardening must not regress.
# The kiosk scores worse by design: X needs devices and Mesa needs writable+executable memory.
EXPOSURE_CEILING = {"opet-kiosk.service": 40, "opet-central.service": 15}


def unit_entries(path: Path) -> dict[str, list[str]]:
    """``Section.Key`` -> values in file order (systemd allows a key several times)."""
    entries: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entries.setdefault(f"{section}.{key}", []).append(value)
    return entries


def verification_root(tmp_path: Path, units: list[Path]) -> Path:
    """The distribution's units plus ours, and an executable stand-in for each ExecStart binary
    (verify checks that they exist; xinit and the venvs are not installed on a CI runner)."""
    root = tmp_path / "root"
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in units:
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
        for command in unit_entries(unit)["Service.ExecStart"]:
            binary = root / command.split()[0].lstrip("/")
            binary.parent.mkdir(parents=True, exist_ok=True)
            binary.write_text("#!/bin/sh\n")
            binary.chmod(0o755)
    return root


def test_every_unit_is_covered() -> None:
    assert {unit.name for unit in UNITS} == set(EXPOSURE_CEILING)


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verify_is_clean(unit: Path, tmp_path: Path) -> None:
    tool = require_tool("systemd-analyze")
    root = verification_root(tmp_path, [unit])
    result = run([tool, "verify", f"--root={root}", unit.name])
    # verify exits 0 on unknown keys and only warns: any output is a finding.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_verify_reports_what_it_should(tmp_path: Path) -> None:
    """The check above can fail: a misspelt key and a missing binary are both reported."""
    broken = tmp_path / "opet-kiosk.service"
    broken.write_text((DEPLOY / "kiosk/opet-kiosk.service").read_text().replace("WatchdogSec=", "WatchdogSecs="))
    root = verification_root(tmp_path, [broken])
    (root / "usr/bin/xinit").unlink()
    result = run([require_tool("systemd-analyze"), "verify", f"--root={root}", broken.name])
    assert "Unknown key 'WatchdogSecs'" in result.stderr
    assert "/usr/bin/xinit is not executable" in result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_hardening_exposure_stays_low(unit: Path, tmp_path: Path) -> None:
    root = verification_root(tmp_path, [unit])
    ceiling = EXPOSURE_CEILING[unit.name]
    result = run([require_tool("systemd-analyze"), "security", "--offline=yes", f"--threshold={ceiling}",
                  f"--root={root}", "--no-pager", unit.name])
    assert result.returncode == 0, result.stdout[-600:] + result.stderr


def test_kiosk_unit_restarts_and_is_watched() -> None:
    unit = unit_entries(DEPLOY / "kiosk/opet-kiosk.service")
    assert unit["Service.Type"] == ["notify"]
    assert unit["Service.NotifyAccess"] == ["all"]  # the app is xinit's child, not the main process
    assert int(unit["Service.WatchdogSec"][0]) > 0
    assert unit["Service.Restart"] == ["always"]
    assert unit["Unit.StartLimitIntervalSec"] == ["0"]
    assert unit["Unit.Requires"] == ["pcscd.socket"] and "pcscd.socket" in unit["Unit.After"]
    assert unit["Service.StandardOutput"] == unit["Service.StandardError"] == ["journal"]
    assert unit["Service.User"] == ["opet-kiosk"]
    assert "-noreset" in unit["Service.ExecStart"][0]  # keeps the session script's xset settings


def test_kiosk_hardening_leaves_x_and_gl_working() -> None:
    unit = unit_entries(DEPLOY / "kiosk/opet-kiosk.service")
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "RestrictSUIDSGID"):
        assert unit[f"Service.{key}"] == ["yes"], key
    assert unit["Service.ProtectSystem"] == ["strict"]
    # Each of these breaks the session: device access for Xorg, JIT for llvmpipe.
    for key in ("PrivateDevices", "DeviceAllow", "DevicePolicy", "ProtectClock", "MemoryDenyWriteExecute"):
        assert f"Service.{key}" not in unit, key


def test_kiosk_token_reaches_the_app_as_a_credential() -> None:
    unit = unit_entries(DEPLOY / "kiosk/opet-kiosk.service")
    assert unit["Service.LoadCredential"] == ["device-token:/etc/opet-kiosk/device-token"]
    assert "OPET_KIOSK_SERVICE_TOKEN_FILE=%d/device-token" in unit["Service.Environment"]


def test_central_unit_keeps_the_database_url_off_the_command_line() -> None:
    unit = unit_entries(DEPLOY / "central/opet-central.service")
    assert unit["Service.EnvironmentFile"] == ["/etc/opet-central/central.env"]
    assert "--database" not in unit["Service.ExecStart"][0]
    assert "--host 127.0.0.1" in unit["Service.ExecStart"][0]
    assert unit["Service.User"] == ["opet-central"]
