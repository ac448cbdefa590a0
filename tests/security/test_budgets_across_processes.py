"""Finding 12: the limits lived in each process's memory, so ``serve --workers N`` gave a device
N budgets and every other central host N more. Now a device's budget is one row in the
database: the same budget for every worker and every host."""
from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.central.conftest import admin, new_card_number
from tests.rigs.central import running_central

BUDGET = 7
SERVE_ARGS = ("--tapped-lookups-per-minute", str(BUDGET))


def guesses(base_urls: list[str], token: str, count: int) -> dict[str, Counter[int]]:
    """``count`` tapped guesses spread in turn over ``base_urls``, each on a new connection (so
    the workers behind one port all take a share); the statuses per URL."""
    seen: dict[str, Counter[int]] = {url: Counter() for url in base_urls}
    for n in range(count):
        url = base_urls[n % len(base_urls)]
        response = httpx.get(f"{url}/v1/cards/{new_card_number()}", params={"entry": "tapped"},
                             headers={"Authorization": f"Bearer {token}", "Connection": "close"}, timeout=30)
        seen[url][response.status_code] += 1
    return seen


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_one_device_has_one_budget_across_two_workers(backend: str, request: pytest.FixtureRequest,
                                                     tmp_path: Path):
    url = (request.getfixturevalue("postgres_server").new_database("workers") if backend == "postgres"
           else f"sqlite:///{tmp_path / 'central.db'}")
    with running_central(url, tmp_path, serve_args=(*SERVE_ARGS, "--workers", "2"), frozen_clock=True) as service:
        kiosk = admin(service, "add-device", "--kind", "kiosk", "--name", "flooding-kiosk")
        seen = guesses([service.base_url], kiosk, 100)[service.base_url]
    assert seen == Counter({404: BUDGET, 429: 100 - BUDGET})


@pytest.mark.postgres
def test_one_device_has_one_budget_across_two_hosts_on_one_postgresql(postgres_server, tmp_path: Path):
    url = postgres_server.new_database("hosts")
    clock = tmp_path / "clock"  # both "hosts" read the same frozen time
    with contextlib.ExitStack() as stack:
        hosts = [stack.enter_context(running_central(url, tmp_path / f"host-{n}", serve_args=SERVE_ARGS,
                                                     frozen_clock=True, clock_path=clock)) for n in range(2)]
        kiosk = admin(hosts[0], "add-device", "--kind", "kiosk", "--name", "flooding-kiosk")
        seen = guesses([host.base_url for host in hosts], kiosk, 100)
    answered = {url: counts[404] for url, counts in seen.items()}
    assert sum(answered.values()) == BUDGET and all(answered.values()), seen  # both hosts answered, one budget
    assert sum(counts[429] for counts in seen.values()) == 100 - BUDGET
