"""Schemathesis against the served OpenAPI document of the running service: no input gives a 5xx.

Each operation (listed from the checked-in central/openapi.json, which test_openapi keeps equal
to the served one) is called with a device token of the kind that may call it, so generated
bodies reach the handlers, and with hypothesis-generated parameters, headers and bodies.
Schemathesis's pytest plugin does not run under pytest 9 yet, so the strategies are driven here.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from central.api.openapi import CHECKED_IN
from tests.central.conftest import Api, make_api
from tests.rigs.central import CentralService, running_central

_DOCUMENT = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
# Negative cases (invalid inputs) only exist for operations that take inputs.
CASES = [
    pytest.param(path, method, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, methods in _DOCUMENT["paths"].items()
    for method, spec in methods.items()
    for mode in schemathesis.GenerationMode
    if mode is schemathesis.GenerationMode.POSITIVE or spec.get("parameters") or spec.get("requestBody")
]


@pytest.fixture(scope="module")
def docs_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralService]:
    """A service of its own that serves its document (``serve --docs``; production does not)."""
    workdir = tmp_path_factory.mktemp("central-docs")
    with running_central(f"sqlite:///{workdir / 'central.db'}", workdir, serve_args=("--docs",)) as service:
        yield service


@pytest.fixture(scope="module")
def sqlite_api(docs_service: CentralService) -> Api:
    return make_api(docs_service, "sqlite")


@pytest.fixture(scope="module")
def served_schema(sqlite_api: Api) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{sqlite_api.service.base_url}/openapi.json")


def token_for(api: Api, path: str) -> str:
    """A token of the device kind that may call ``path``."""
    if path.startswith("/v1/sms"):
        return api.gateway_token
    if path.endswith("/activation") or path == "/v1/kiosks":
        return api.operations_token
    if path.startswith("/v1/kiosks"):
        return api.service.token
    return api.till_token


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_no_server_errors(served_schema, sqlite_api: Api, path: str, method: str, mode):
    operation = served_schema[path][method]
    headers = {"Authorization": f"Bearer {token_for(sqlite_api, path)}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    call()
