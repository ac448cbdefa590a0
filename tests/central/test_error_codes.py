"""The service's error codes are the leaf's (opetcard/errors.py), which the kiosk reads them by."""
from __future__ import annotations

import ast
from pathlib import Path

from central.activation import ActivationOutcome
from central.identity import IdentityCheck
from opetcard.errors import ErrorCode

CENTRAL = Path(__file__).resolve().parents[2] / "central"


def _literal_codes() -> set[str]:
    """The code of every ``ApiError(status, "code", ...)`` or ``error_response(status, "code", ...)``
    written with a literal code."""
    codes = set()
    for path in CENTRAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("ApiError", "error_response") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)):
                codes.add(node.args[1].value)
    return codes


def test_every_code_the_service_raises_is_in_the_leaf() -> None:
    literal = _literal_codes()
    assert len(literal) > 15  # the scan found the service's errors
    computed = {"malformed_number", "malformed_uid"}  # ApiError(400, f"malformed_{what}")
    computed |= {check.value for check in IdentityCheck if check is not IdentityCheck.MATCH}
    computed |= {outcome.value for outcome in ActivationOutcome} - {"activated", "already_active"}
    assert literal | computed <= set(ErrorCode), "add the new code to opetcard/errors.py"


def test_every_code_in_the_leaf_is_one_the_service_answers_with() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in CENTRAL.rglob("*.py"))
    stale = [code.value for code in ErrorCode if f'"{code.value}"' not in source and code.value != "malformed_uid"]
    assert stale == []
