"""SLOW, OPT-IN: deploy/kiosk/install.sh for real in a fresh Debian 12 chroot (debootstrap):
real apt-get, real useradd, the app with all its dependencies from PyPI, enabled units.

Skipped unless OPET_DEPLOY_CHROOT=1. Needs root, debootstrap and network access (about
150 MB from deb.debian.org plus the Python wheels). Downloaded .debs are kept in
$OPET_DEPLOY_CHROOT_CACHE (default /var/tmp/opet-deploy-chroot-cache) for the next run.
Took 4 minutes on a 2-core machine with the .deb cache filled (about 5-6 minutes cold).

    OPET_DEPLOY_CHROOT=1 .venv/bin/python -m pytest tests/deploy/test_chroot_install.py
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.deploy.helpers import APP_PACKAGES, REPO, require_tool, run

pytestmark = [
    pytest.mark.skipif(os.environ.get("OPET_DEPLOY_CHROOT") != "1", reason="slow: set OPET_DEPLOY_CHROOT=1 to run"),
    pytest.mark.timeout(1800),
]
MIRROR = "http://deb.debian.org/debian"


def in_chroot(root: Path, script: str, timeout: int = 1200) -> str:
    """Runs a bash script inside the chroot, in a private mount namespace (the /proc and /dev
    mounts vanish with it, even if the test dies); fails with its output if it fails."""
    mounts = f"mount -t proc proc {root}/proc && mount --rbind /dev {root}/dev"
    result = run(
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
         f'{mounts} && exec chroot {root} /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -euo pipefail -c "$0"',
         script],
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def test_kiosk_install_in_a_debian_chroot(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert os.geteuid() == 0, "debootstrap and chroot need root"
    debootstrap = require_tool("debootstrap")
    cache = Path(os.environ.get("OPET_DEPLOY_CHROOT_CACHE", "/var/tmp/opet-deploy-chroot-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    root = tmp_path_factory.mktemp("chroot") / "root"
    result = run([debootstrap, "--variant=minbase", f"--cache-dir={cache}", "bookworm", str(root), MIRROR], timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # As in a container build: packages install, their daemons do not start.
    (root / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
    (root / "usr/sbin/policy-rc.d").chmod(0o755)
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    source = root / "root/src"
    for name in (*APP_PACKAGES, "deploy"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    (root / "root/token").write_text("kiosk-token\n")
    # Trust what the host trusts: some networks inspect TLS with their own CA, and pip in the
    # chroot would otherwise refuse PyPI.
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "root/host-ca.crt")

    install = ("PIP_CERT=/root/host-ca.crt bash /root/src/deploy/kiosk/install.sh "
               "--service-url https://central.example.test --token-file /root/token")
    in_chroot(root, f"apt-get update -qq && {install}")
    second = in_chroot(root, install)

    assert "creating system user" not in second and "installing Debian packages" not in second
    checks = in_chroot(
        root,
        "getent passwd opet-kiosk; id -nG opet-kiosk; "
        "dpkg-query -W -f='${Status}\\n' vsmartcard-vpcd 2>/dev/null || echo 'vpcd: not installed'; "
        "stat -c '%a %U:%G %n' /etc/opet-kiosk/kiosk.toml /etc/opet-kiosk/device-token; "
        "/opt/opet-kiosk/venv/bin/python -c 'import kivy, smartcard, kiosk.heartbeat, kiosk.systemd_notify' 2>/dev/null "
        "&& echo imports-ok; "
        "/opt/opet-kiosk/venv/bin/opet-kiosk --help >/dev/null && echo console-script-ok; "
        "systemctl is-enabled opet-kiosk.service pcscd.socket; "
        "systemd-analyze verify opet-kiosk.service && echo verify-ok",
    )
    assert "opet-kiosk:x:" in checks and ":/var/lib/opet-kiosk:/usr/sbin/nologin" in checks
    assert "video" in checks and "render" in checks and "input" in checks
    assert "vpcd: not installed" in checks
    assert "640 root:opet-kiosk /etc/opet-kiosk/kiosk.toml" in checks
    assert "600 root:root /etc/opet-kiosk/device-token" in checks
    for marker in ("imports-ok", "console-script-ok", "verify-ok"):
        assert marker in checks
    assert checks.count("enabled") == 2
