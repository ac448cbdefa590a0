"""The OpenAPI document: checked in as central/openapi.json, up to date, and served as is."""
from __future__ import annotations

import json

import httpx

from central.api.openapi import CHECKED_IN, openapi_text
from tests.rigs.central import running_central


def test_checked_in_openapi_is_up_to_date():
    assert CHECKED_IN.read_text(encoding="utf-8") == openapi_text(), (
        "central/openapi.json is stale: run `opet-central openapi > central/openapi.json`"
    )


def test_served_openapi_is_the_checked_in_one(tmp_path):
    """``serve --docs`` serves the checked-in document (without --docs nothing is served: tests/security)."""
    with running_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path, demo_data=False,
                         serve_args=("--docs",)) as service:
        served = httpx.get(f"{service.base_url}/openapi.json", timeout=5).json()
        assert httpx.get(f"{service.base_url}/docs", timeout=5).status_code == 200
    assert served == json.loads(CHECKED_IN.read_text(encoding="utf-8"))


def test_every_operation_documents_the_error_shape():
    document = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    for path, methods in document["paths"].items():
        if path == "/metrics":
            continue
        for method, spec in methods.items():
            errors = [status for status in spec["responses"] if status.startswith(("4", "5"))]
            assert errors, f"{method} {path} documents no error"
            for status in errors:
                schema = spec["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path} {status}"
