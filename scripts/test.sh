#!/usr/bin/env bash
# The README's test command: installs everything on a fresh Debian machine, then runs pytest.
# Every server a test needs (pcscd with the virtual reader, the central service, PostgreSQL,
# Xvfb) is started by the tests' own fixtures. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
exec .venv/bin/python -m pytest "$@"
