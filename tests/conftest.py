"""Test-wide setup: the rigs that start real servers are pytest plugins under tests/rigs/, and
the order pytest-xdist hands tests out in."""
from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.rigs.pcsc",
    "tests.rigs.central",
    "tests.rigs.xvfb",
    "tests.rigs.postgres",
    "tests.rigs.browser",
]

HANDED_OUT_FIRST = ("tests/ui/test_gallery.py", "tests/console/")
"""Under pytest-xdist, these go first: the longest tests, which would otherwise run alone at the
end while the other workers idle (``--durations`` shows them)."""
HANDED_OUT_LAST = "tests/ui/"
"""And the kiosk app's tests last: the app (one per worker, kept for the session) watches its
worker's pcscd, so no test that taps that pcscd's readers may come after it in the same worker.
xdist hands tests out in this order, so each worker runs all its other tests first."""


def _rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(HANDED_OUT_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(HANDED_OUT_FIRST) + item.nodeid.startswith(HANDED_OUT_LAST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker (``-n``: the workers' collections give the order tests are handed
    out in), the order above; otherwise the collection's own order."""
    if hasattr(config, "workerinput"):
        items.sort(key=_rank)  # stable: each group keeps its files' order
