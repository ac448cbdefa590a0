"""The OpenAPI document, as served at /openapi.json and checked in as central/openapi.json."""
from __future__ import annotations

import json
from pathlib import Path

from central.api.app import create_app

CHECKED_IN = Path(__file__).parent.parent / "openapi.json"


def openapi_text() -> str:
    """The document, pretty-printed with sorted keys (no database is opened)."""
    document = create_app("sqlite://").openapi()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
