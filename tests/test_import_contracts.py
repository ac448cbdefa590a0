"""The import contracts of pyproject.toml ([tool.importlinter]), checked by import-linter:
screens -> kiosk -> hardware -> opetcard with nothing upward, central on opetcard only, Kivy
in screens only, and the driver's screens and attendant mode independent."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
