"""Shared by the deploy tests: paths, a throwaway root that looks like a Debian 12 system, the app's wheel."""
from __future__ import annotations

import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
HOST_UNITS = Path("/usr/lib/systemd/system")
APP_PACKAGES = ("opetcard", "kiosk", "hardware", "screens", "central")

# The groups a fresh Debian 12 has that the installers add their users to.
_GROUPS = "root:x:0:\ntty:x:5:\nvideo:x:44:\nplugdev:x:46:\ninput:x:101:\nrender:x:102:\n"


def require_tool(name: str) -> str:
    """The tool's path; a failure (not a skip) when missing, because CI installs it."""
    found = shutil.which(name)
    if found is None:
        raise AssertionError(f"{name} is not installed: run scripts/bootstrap.sh --test")
    return found


def make_target_root(root: Path) -> Path:
    """A directory with what a Debian 12 base system has where the installers look:
    the user and group databases, login.defs, and the distribution's unit files."""
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "group").write_text(_GROUPS)
    (etc / "gshadow").write_text("".join(f"{line.split(':')[0]}:*::\n" for line in _GROUPS.splitlines()))
    (etc / "shadow").chmod(0o640)
    (etc / "gshadow").chmod(0o640)
    shutil.copy("/etc/login.defs", etc / "login.defs")
    (etc / "systemd" / "system").mkdir(parents=True)
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    return root


def build_app_wheel(directory: Path) -> Path:
    """A wheel of this source tree's packages and console scripts, without its dependencies
    (the test installs with PIP_NO_DEPS: Kivy and friends would take minutes to download)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    dist_info = f"{name}-{version}.dist-info"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    scripts = "".join(f"{script} = {target}\n" for script, target in project["scripts"].items())
    records: list[str] = []
    with zipfile.ZipFile(wheel, "w") as archive:
        for package in APP_PACKAGES:
            for path in sorted((REPO / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    arcname = str(path.relative_to(REPO))
                    archive.write(path, arcname)
                    records.append(arcname)
        metadata = {
            "METADATA": f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {version}\n",
            "WHEEL": "Wheel-Version: 1.0\nGenerator: tests.deploy\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            "entry_points.txt": f"[console_scripts]\n{scripts}",
        }
        for filename, text in metadata.items():
            archive.writestr(f"{dist_info}/{filename}", text)
            records.append(f"{dist_info}/{filename}")
        archive.writestr(f"{dist_info}/RECORD", "".join(f"{entry},,\n" for entry in records + [f"{dist_info}/RECORD"]))
    return wheel


def run(command: list[str], timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs to completion with text output captured; the caller checks the result."""
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)  # type: ignore[call-overload]
