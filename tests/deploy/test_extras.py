"""Each product installs what it imports and nothing of the other: pyproject.toml's extras
against the third-party imports of the source (importlib.metadata maps a module to the
distribution that provides it, in this test environment that has both)."""
from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement

from tests.deploy.helpers import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PRODUCTS = {"kiosk": ("opetcard", "kiosk", "hardware", "screens"), "central": ("opetcard", "central")}
FIRST_PARTY = {"opetcard", "kiosk", "hardware", "screens", "central", "tests"}


def _names(requirements: list[str]) -> set[str]:
    return {Requirement(text).name.lower().replace("_", "-") for text in requirements}


def _installed_by(extra: str) -> set[str]:
    """The distributions ``pip install .[extra]`` asks for by name (not their own dependencies)."""
    return _names(PROJECT["dependencies"]) | _names(PROJECT["optional-dependencies"][extra])


def _imported_distributions(packages: tuple[str, ...]) -> set[str]:
    """The distributions whose modules the packages import (at the top or inside a function)."""
    provided = metadata.packages_distributions()
    modules: set[str] = set()
    for package in packages:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    third_party = modules - FIRST_PARTY - set(sys.stdlib_module_names)
    return {provided[module][0].lower().replace("_", "-") for module in third_party}


def test_each_extra_installs_what_its_product_imports() -> None:
    for product, packages in PRODUCTS.items():
        missing = _imported_distributions(packages) - _installed_by(product)
        assert missing == set(), f".[{product}] lacks {sorted(missing)}"


def test_the_service_installs_no_card_reader_or_ui() -> None:
    central = _installed_by("central")
    assert not central & {"pyscard", "kivy", "qrcode", "babel", "requests"}, central


def test_the_kiosk_installs_no_web_server_or_database() -> None:
    kiosk = _installed_by("kiosk")
    assert not kiosk & {"fastapi", "uvicorn", "starlette", "sqlalchemy", "alembic", "psycopg", "prometheus-client"}, kiosk


def test_the_test_extra_has_both_products() -> None:
    assert "opet-kiosk[kiosk,central]" in PROJECT["optional-dependencies"]["test"]
