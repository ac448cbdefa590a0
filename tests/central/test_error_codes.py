"""The service's error codes are the leaf's (opetcard/errors.py), which the kiosk reads them by."""
from __future__ import annotations

import ast
from pathlib import Path

from central.domain import errors
from central.domain.activation import ActivationOutcome
from central.domain.identity import IdentityCheck
from opetcard.errors import ErrorCode

CENTRAL = Path(__file__).resolve().parents[2] / "central"
DOMAIN_ERRORS = {name for name, kind in vars(errors).items()
                 if isinstance(kind, type) and issubclass(kind, errors.DomainError) and kind is not errors.RateLimited}


def _literal_codes() -> set[str]:
    """The code of every ``ApiError(status, "code", ...)`` or ``error_response(status, "code", ...)``,
    and of every domain refusal (``NotFound("code", ...)``, central.domain.errors), written with a
    literal code."""
    codes = set()
    for path in CENTRAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None)
            position = 1 if name in ("ApiError", "error_response") else 0 if name in DOMAIN_ERRORS else None
            if position is not None and len(node.args) > position and isinstance(node.args[position], ast.Constant):
                codes.add(node.args[position].value)
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
