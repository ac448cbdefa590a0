"""Every shell script under deploy/: `bash -n`, shellcheck, and the house rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.helpers import DEPLOY, REPO, require_tool, run

SCRIPTS = sorted(
    path for path in DEPLOY.rglob("*")
    if path.is_file() and (path.suffix == ".sh" or path.read_text(errors="replace").startswith("#!/usr/bin/env bash"))
)
LIBRARIES = [path for path in SCRIPTS if path.parent.name == "lib"]  # sourced, never run
PROGRAMS = [path for path in SCRIPTS if path not in LIBRARIES]


def test_scripts_are_found() -> None:
    names = {str(path.relative_to(DEPLOY)) for path in SCRIPTS}
    assert {"kiosk/install.sh", "kiosk/session", "central/install.sh", "central/make-ca.sh", "lib/common.sh"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_bash_syntax(script: Path) -> None:
    result = run(["bash", "-n", str(script)])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_shellcheck_is_clean(script: Path) -> None:
    result = run([require_tool("shellcheck"), "--external-sources", "--shell=bash", str(script)], cwd=REPO)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", PROGRAMS, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_programs_are_strict_and_executable(script: Path) -> None:
    assert "set -euo pipefail" in script.read_text()
    assert script.stat().st_mode & 0o111
