"""Finds every message id the screens use: ``_("...")`` in .py files, ``app.tr._("...")``
in .kv files. The catalog test checks the Turkish .po against this list both ways."""
from __future__ import annotations

import ast
import re
from pathlib import Path

SCREENS_DIR = Path(__file__).parent
_KV_MESSAGE = re.compile(r"""tr\._\((?P<literal>"(?:[^"\\]|\\.)*")\)""")


def used_message_ids() -> set[str]:
    found: set[str] = set()
    for kv in SCREENS_DIR.glob("kv/*.kv"):
        for match in _KV_MESSAGE.finditer(kv.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(match.group("literal")))
    for source in SCREENS_DIR.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _called_name(node.func) == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
