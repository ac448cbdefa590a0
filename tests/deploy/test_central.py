"""The central side: the private CA script, nginx's TLS site in front of the real service
(verified by a client that trusts only that CA), and deploy/central/install.sh into a root."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hardware.card_number import CardNumber
from kiosk.api_client import CentralClient
from kiosk.balance import Entry
from kiosk.transport import FailureKind, RequestFailed, ServiceTransport
from tests.deploy.helpers import DEPLOY, build_app_wheel, make_target_root, require_tool, run
from tests.rigs.central import CentralService, free_port

MAKE_CA = DEPLOY / "central/make-ca.sh"
SITE = DEPLOY / "central/nginx-opet-central.conf"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pki")
    result = run(["bash", str(MAKE_CA), str(out), "localhost", "127.0.0.1"])
    assert result.returncode == 0, result.stderr
    return out


def test_ca_and_server_certificate(pki: Path) -> None:
    openssl = require_tool("openssl")
    assert run([openssl, "verify", "-CAfile", str(pki / "ca.pem"), str(pki / "server.crt")]).stdout.strip().endswith("OK")
    text = run([openssl, "x509", "-in", str(pki / "server.crt"), "-noout", "-text"]).stdout
    assert "DNS:localhost, IP Address:127.0.0.1" in text
    assert "TLS Web Server Authentication" in text
    assert "CA:TRUE, pathlen:0" in run([openssl, "x509", "-in", str(pki / "ca.pem"), "-noout", "-text"]).stdout
    for key in ("ca.key", "server.key"):
        assert oct((pki / key).stat().st_mode & 0o777) == oct(0o600), key


def test_rerun_keeps_the_ca_and_renews_the_server_certificate(tmp_path: Path) -> None:
    assert run(["bash", str(MAKE_CA), str(tmp_path), "central.test"]).returncode == 0
    ca, server = (tmp_path / "ca.pem").read_bytes(), (tmp_path / "server.crt").read_bytes()
    assert run(["bash", str(MAKE_CA), str(tmp_path), "central.test", "central2.test"]).returncode == 0
    assert (tmp_path / "ca.pem").read_bytes() == ca
    assert (tmp_path / "server.crt").read_bytes() != server
    verify = run([require_tool("openssl"), "verify", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "server.crt")])
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.fixture(scope="module")
def nginx_front(
    central_service: CentralService, pki: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """nginx running the shipped site, moved to a free port, in front of the real service; its work dir."""
    nginx = require_tool("nginx")
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    service_port = central_service.base_url.rsplit(":", 1)[1]
    site = (
        SITE.read_text()
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
        .replace("listen [::]:443 ssl;", "")
        .replace("127.0.0.1:8600", f"127.0.0.1:{service_port}")
        .replace("/etc/opet-central/tls/", f"{pki}/")
    )
    (work / "site.conf").write_text(site)
    temp_paths = "".join(f"{kind}_temp_path {work}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''}\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log;\nevents {{}}\n"
        # As Debian's nginx.conf: an access log for every site, unless the site turns it off.
        f"http {{\naccess_log {work}/access.log;\n{temp_paths}include {work}/site.conf;\n}}\n"
    )
    command = [nginx, "-p", str(work), "-e", f"{work}/error.log", "-c", str(work / "nginx.conf")]
    check = run([*command, "-t"])
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None and time.monotonic() < deadline, (work / "error.log").read_text()
            time.sleep(0.05)
        yield f"https://localhost:{port}", work
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def tls_front(nginx_front: tuple[str, Path]) -> str:
    """The https:// base URL of :func:`nginx_front`."""
    return nginx_front[0]


def test_nginx_writes_no_card_number_to_its_logs(nginx_front: tuple[str, Path], pki: Path,
                                                 central_service: CentralService) -> None:
    url, work = nginx_front
    number = "7000070012806566"
    response = requests.get(f"{url}/v1/cards/{number}", params={"entry": "tapped"}, verify=str(pki / "ca.pem"),
                            headers={"Authorization": f"Bearer {central_service.token}"}, timeout=5)
    assert response.status_code == 200
    logs = "".join(path.read_text() for path in work.glob("*.log"))
    assert number not in logs and number[-10:] not in logs


def test_kiosk_reaches_the_service_through_tls_trusting_the_private_ca(tls_front: str, pki: Path) -> None:
    response = requests.get(f"{tls_front}/healthz", verify=str(pki / "ca.pem"), timeout=5)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_kiosk_client_verifies_the_service_against_the_configured_ca(
    tls_front: str, pki: Path, central_service: CentralService
) -> None:
    card = CardNumber.parse("7000070012806566")
    with_ca = CentralClient(ServiceTransport(tls_front, central_service.token, verify=str(pki / "ca.pem")))
    assert with_ca.look_up(card, Entry.TAPPED).fuel == 123456
    without_ca = CentralClient(ServiceTransport(tls_front, central_service.token, retries=0))
    with pytest.raises(RequestFailed) as raised:
        without_ca.look_up(card, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAVAILABLE
    assert not without_ca.healthy()


def test_a_client_without_the_private_ca_refuses_the_service(tls_front: str) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{tls_front}/healthz", timeout=5)


def test_plain_http_is_refused_not_proxied(tls_front: str) -> None:
    response = requests.get(tls_front.replace("https://", "http://") + "/healthz", timeout=5)
    assert response.status_code == 400 and "HTTPS port" in response.text


def _get_from(source_address: str, url: str, ca: Path) -> int:
    """Status of a GET sent from a chosen loopback address (nginx's allow/deny sees it)."""
    host, port = url.removeprefix("https://").split(":")
    context = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", int(port)), source_address=(source_address, 0)) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(f"GET /metrics HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            return int(tls.recv(64).split()[1])


def test_metrics_only_for_the_local_scraper(tls_front: str, pki: Path) -> None:
    assert _get_from("127.0.0.1", tls_front, pki / "ca.pem") == 200
    assert _get_from("127.0.0.2", tls_front, pki / "ca.pem") == 403


def test_central_install_into_a_root(tmp_path: Path, pki: Path) -> None:
    root = make_target_root(tmp_path / "root")
    enabled = root / "etc/nginx/sites-enabled"
    enabled.mkdir(parents=True)
    (enabled / "default").symlink_to("/etc/nginx/sites-available/default")
    wheel = build_app_wheel(tmp_path)
    result = run(
        ["bash", str(DEPLOY / "central/install.sh"), "--root", str(root), "--wheel", str(wheel),
         "--tls-cert", str(pki / "server.crt"), "--tls-key", str(pki / "server.key")],
        env={**os.environ, "PIP_NO_DEPS": "1", "PIP_NO_INDEX": "1"},
    )
    assert result.returncode == 0, result.stderr

    assert "postgresql" in result.stdout.split("plan: apt-get install")[1].splitlines()[0]
    assert "plan: createuser opet-central; createdb --owner=opet-central opet_central" in result.stdout
    passwd = {line.split(":")[0]: line.split(":") for line in (root / "etc/passwd").read_text().splitlines()}
    assert passwd["opet-central"][6] == "/usr/sbin/nologin"
    central_gid = int(passwd["opet-central"][3])
    env_file = root / "etc/opet-central/central.env"
    assert (env_file.stat().st_mode & 0o777, env_file.stat().st_gid) == (0o640, central_gid)
    assert "OPET_CENTRAL_DATABASE=postgresql://opet-central@/opet_central?host=/run/postgresql" in env_file.read_text()
    key = root / "etc/opet-central/tls/server.key"
    assert (key.stat().st_mode & 0o777, key.read_bytes()) == (0o600, (pki / "server.key").read_bytes())
    assert os.readlink(enabled / "opet-central") == "../sites-available/opet-central"
    assert not (enabled / "default").is_symlink()
    wants = root / "etc/systemd/system/multi-user.target.wants"
    assert (wants / "opet-central.service").is_symlink() and (wants / "nginx.service").is_symlink()
    assert os.access(root / "opt/opet-central/venv/bin/opet-central", os.X_OK)
    assert "tzdata" in planned_apt(result.stdout)
    assert os.readlink(root / "etc/localtime") == "/usr/share/zoneinfo/Europe/Istanbul"
    assert (root / "etc/timezone").read_text() == "Europe/Istanbul\n"


def planned_apt(stdout: str) -> list[str]:
    return next(line for line in stdout.splitlines() if line.startswith("plan: apt-get install")).split()[4:]
