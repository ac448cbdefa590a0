#!/usr/bin/env bash
# The README's test command: installs everything on a fresh Debian machine, then runs pytest.
# Every server a test needs (pcscd with the virtual reader, the central service, PostgreSQL,
# Xvfb) is started by the tests' own fixtures, per test process. Extra arguments go to pytest.
# Four processes (pytest-xdist): most of a UI, card or browser test is waiting on another
# process, so four keep two cores busy; `-n 0` among the arguments runs the suite in one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
exec .venv/bin/python -m pytest -n 4 "$@"
