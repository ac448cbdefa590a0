"""deploy/kiosk/install.sh run for real into a throwaway root (--root): users, files, modes,
units, the refusal to coexist with the virtual card reader, and a second run that changes nothing.

apt-get cannot install into a directory, so its step is checked from the printed plan; the app
goes into a real virtual environment from a wheel of this tree, without its dependencies."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.config import load_config
from tests.deploy.helpers import DEPLOY, build_app_wheel, make_target_root, require_tool, run

INSTALL = DEPLOY / "kiosk/install.sh"
SERVICE_URL = "https://central.example.test"


@dataclass
class Installed:
    root: Path
    inputs: Path
    first: str   # stdout of the first run
    second: str  # stdout of the second run
    tree_after_first: dict[str, tuple[int, int, int, str]]
    tree_after_second: dict[str, tuple[int, int, int, str]]


def install(root: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PIP_NO_DEPS": "1", "PIP_NO_INDEX": "1"}
    result = run(["bash", str(INSTALL), "--root", str(root), *args], env=env)
    return result.returncode, result.stdout, result.stderr


def tree(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every path under root: mode, owner, group, and content hash (or link target)."""
    entries = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content = os.readlink(path)
        elif path.is_file():
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = ""
        entries[str(path.relative_to(root))] = (info.st_mode, info.st_uid, info.st_gid, content)
    return entries


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """A Debian-like root with getty on tty1 enabled, installed into twice."""
    inputs = tmp_path_factory.mktemp("inputs")
    root = make_target_root(tmp_path_factory.mktemp("kiosk") / "root")
    wants = root / "etc/systemd/system/getty.target.wants"
    wants.mkdir(parents=True)
    (wants / "getty@tty1.service").symlink_to("/usr/lib/systemd/system/getty@.service")
    (inputs / "token").write_text("kiosk-token\n")
    (inputs / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    wheel = build_app_wheel(inputs)
    args = ("--token-file", str(inputs / "token"), "--ca-file", str(inputs / "ca.pem"), "--wheel", str(wheel))
    code, first, stderr = install(root, "--service-url", SERVICE_URL, *args)
    assert code == 0, stderr
    after_first = tree(root)
    code, second, stderr = install(root, "--service-url", "https://other.example.test", *args)
    assert code == 0, stderr
    yield Installed(root, inputs, first, second, after_first, tree(root))


def ids(root: Path, database: str, name: str) -> int:
    for line in (root / "etc" / database).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return int(fields[2])
    raise AssertionError(f"{name} not in {database}")


def planned_packages(stdout: str) -> list[str]:
    lines = [line for line in stdout.splitlines() if line.startswith("plan: apt-get install")]
    assert len(lines) == 1, stdout
    return lines[0].split()[4:]


def test_packages_include_the_session_and_pcscd_but_never_the_virtual_reader(installed: Installed) -> None:
    packages = planned_packages(installed.first)
    assert {"pcscd", "libccid", "xserver-xorg-core", "xinit", "x11-xserver-utils", "libpam-systemd"} <= set(packages)
    assert not any("vpcd" in package or "vsmartcard" in package for package in packages)
    assert "--no-install-recommends" in installed.first


def test_the_machine_runs_on_the_stations_time_zone(installed: Installed) -> None:
    assert "tzdata" in planned_packages(installed.first)
    assert os.readlink(installed.root / "etc/localtime") == "/usr/share/zoneinfo/Europe/Istanbul"
    assert (installed.root / "etc/timezone").read_text() == "Europe/Istanbul\n"


def test_system_user_without_login_shell_in_the_device_groups(installed: Installed) -> None:
    passwd = [line.split(":") for line in (installed.root / "etc/passwd").read_text().splitlines()]
    [kiosk] = [entry for entry in passwd if entry[0] == "opet-kiosk"]
    assert kiosk[5:] == ["/var/lib/opet-kiosk", "/usr/sbin/nologin"]
    assert int(kiosk[2]) < 1000  # a system user
    groups = {line.split(":")[0]: line.split(":")[3].split(",") for line in (installed.root / "etc/group").read_text().splitlines()}
    for group in ("video", "render", "input", "audio"):
        assert "opet-kiosk" in groups[group], group


@pytest.mark.parametrize(
    ("path", "mode", "owner", "group"),
    [
        ("etc/opet-kiosk", 0o750, "root", "opet-kiosk"),
        ("etc/opet-kiosk/kiosk.toml", 0o640, "root", "opet-kiosk"),
        ("etc/opet-kiosk/device-token", 0o600, "root", "root"),
        ("etc/opet-kiosk/ca.pem", 0o644, "root", "root"),
        ("opt/opet-kiosk/session", 0o755, "root", "root"),
        ("etc/systemd/system/opet-kiosk.service", 0o644, "root", "root"),
        ("etc/X11/xorg.conf.d/10-opet-kiosk.conf", 0o644, "root", "root"),
        ("etc/systemd/logind.conf.d/opet-kiosk.conf", 0o644, "root", "root"),
        ("etc/sysctl.d/60-opet-kiosk.conf", 0o644, "root", "root"),
    ],
)
def test_file_modes_and_owners(installed: Installed, path: str, mode: int, owner: str, group: str) -> None:
    info = (installed.root / path).stat()
    assert oct(info.st_mode & 0o7777) == oct(mode)
    assert (info.st_uid, info.st_gid) == (ids(installed.root, "passwd", owner), ids(installed.root, "group", group))


def test_config_is_valid_for_the_kiosk_and_names_the_service(installed: Installed) -> None:
    config = load_config(installed.root / "etc/opet-kiosk/kiosk.toml", environ={})
    assert config.service.url == SERVICE_URL  # the second run's URL did not overwrite it
    assert config.service.token_file == "/etc/opet-kiosk/device-token"
    assert config.service.tls_verify() == "/etc/opet-kiosk/ca.pem"  # --ca-file was given
    assert "kept the existing /etc/opet-kiosk/kiosk.toml" in installed.second
    assert (installed.root / "etc/opet-kiosk/device-token").read_text() == "kiosk-token\n"


def test_no_way_out_and_no_blanking(installed: Installed) -> None:
    xorg = (installed.root / "etc/X11/xorg.conf.d/10-opet-kiosk.conf").read_text()
    for option in ('"DontVTSwitch" "true"', '"DontZap" "true"', '"BlankTime" "0"', '"OffTime" "0"'):
        assert option in xorg
    logind = (installed.root / "etc/systemd/logind.conf.d/opet-kiosk.conf").read_text()
    assert "NAutoVTs=0" in logind
    assert "kernel.sysrq = 0" in (installed.root / "etc/sysctl.d/60-opet-kiosk.conf").read_text()
    assert os.readlink(installed.root / "etc/systemd/system/ctrl-alt-del.target") == "/dev/null"


def test_units_are_enabled_and_getty_leaves_tty1(installed: Installed) -> None:
    system = installed.root / "etc/systemd/system"
    assert os.readlink(system / "multi-user.target.wants/opet-kiosk.service") == "/etc/systemd/system/opet-kiosk.service"
    assert (system / "sockets.target.wants/pcscd.socket").is_symlink()
    assert not (system / "getty.target.wants/getty@tty1.service").exists()
    assert (installed.root / "opt/opet-kiosk/session").read_bytes() == (DEPLOY / "kiosk/session").read_bytes()


def test_app_is_in_its_own_virtual_environment(installed: Installed) -> None:
    venv = installed.root / "opt/opet-kiosk/venv"
    assert os.access(venv / "bin/opet-kiosk", os.X_OK)
    result = run([str(venv / "bin/python"), "-c", "import kiosk.config, screens.main"])
    assert result.returncode == 0, result.stderr


def test_installed_unit_verifies_in_the_installed_root(installed: Installed) -> None:
    # apt did not run here, so the one binary it would bring is stood in for.
    xinit = installed.root / "usr/bin/xinit"
    xinit.parent.mkdir(parents=True, exist_ok=True)
    xinit.write_text("#!/bin/sh\n")
    xinit.chmod(0o755)
    try:
        result = run([require_tool("systemd-analyze"), "verify", f"--root={installed.root}", "opet-kiosk.service"])
    finally:
        xinit.unlink()
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_second_run_changes_nothing(installed: Installed) -> None:
    assert installed.tree_after_second == installed.tree_after_first
    assert "creating system user" in installed.first and "creating system user" not in installed.second


def test_refuses_a_machine_with_the_virtual_reader(tmp_path: Path) -> None:
    root = make_target_root(tmp_path / "root")
    (root / "etc/reader.conf.d").mkdir()
    (root / "etc/reader.conf.d/vpcd").write_text("LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\n")
    code, _, stderr = install(root, "--service-url", SERVICE_URL)
    assert code != 0 and "vsmartcard-vpcd" in stderr
    assert not (root / "opt").exists() and "opet-kiosk" not in (root / "etc/passwd").read_text()


def test_first_install_needs_the_service_url(tmp_path: Path) -> None:
    root = make_target_root(tmp_path / "root")
    code, _, stderr = install(root)
    assert code != 0 and "--service-url" in stderr


@pytest.mark.parametrize("url", ["http://central.example.test", "central.example.test:443"])
def test_refuses_a_service_url_that_is_not_https(tmp_path: Path, url: str) -> None:
    root = make_target_root(tmp_path / "root")
    code, _, stderr = install(root, "--service-url", url)
    assert code != 0 and "must be https://" in stderr
    assert not (root / "opt").exists() and not (root / "etc/opet-kiosk").exists()
    assert "opet-kiosk" not in (root / "etc/passwd").read_text()


def test_insecure_accepts_plain_http_and_says_so(tmp_path: Path) -> None:
    root = make_target_root(tmp_path / "root")
    (tmp_path / "token").write_text("kiosk-token\n")
    wheel = build_app_wheel(tmp_path)
    code, stdout, stderr = install(
        root, "--insecure", "--service-url", "http://bench.example.test:8600",
        "--token-file", str(tmp_path / "token"), "--wheel", str(wheel),
    )
    assert code == 0, stderr
    assert "warning: --insecure" in stdout and "unencrypted" in stdout
    config = load_config(root / "etc/opet-kiosk/kiosk.toml", environ={})
    assert config.service.url == "http://bench.example.test:8600"
