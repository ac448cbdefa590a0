"""The OpenAPI document: checked in as central/openapi.json, up to date, and served as is."""
from __future__ import annotations

import json

import httpx

from central.openapi import CHECKED_IN, openapi_text
from tests.rigs.central import CentralService


def test_checked_in_openapi_is_up_to_date():
    assert CHECKED_IN.read_text(encoding="utf-8") == openapi_text(), (
        "central/openapi.json is stale: run `opet-central openapi > central/openapi.json`"
    )


def test_served_openapi_is_the_checked_in_one(central_service: CentralService):
    served = httpx.get(f"{central_service.base_url}/openapi.json", timeout=5).json()
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
