"""Real parallel HTTP requests against the running service, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.central.conftest import Api, new_card_number

WORKERS = 8


def test_parallel_sales_on_one_card_all_count(api: Api):
    number = new_card_number()
    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(lambda _: api.sale(number, 20000, "dizel"), range(40)))
    assert [r.status_code for r in responses] == [201] * 40, {r.text for r in responses}
    assert api.pots(number)["fuel"] == 40 * 100


def test_parallel_redemptions_never_overdraw(api: Api):
    number = api.active_card(fuel=1000)
    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(lambda _: api.redeem(number, 150), range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 6 + [409] * 6, {r.text for r in responses}
    assert api.pots(number)["fuel"] == 100


def test_parallel_retries_of_one_sale_book_it_once(api: Api):
    number = new_card_number()
    key, at = uuid.uuid4().hex, "2026-03-01T09:00:00+03:00"
    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(lambda _: api.sale(number, 20000, key=key, sold_at=at), range(WORKERS)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["sale_id"] for r in responses}) == 1
    assert api.pots(number)["fuel"] == 100


def test_sales_racing_a_replacement_are_either_moved_or_refused(api: Api):
    old, new = api.active_card(fuel=100), new_card_number()

    def work(index: int) -> int:
        if index == WORKERS // 2:
            return api.replace(old, new, "Deniz Işık", "1980-05-17").status_code
        return api.sale(old, 20000).status_code

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = list(pool.map(work, range(WORKERS)))
    booked = statuses.count(201) - 1  # the replacement itself
    assert statuses[WORKERS // 2] == 201
    assert set(statuses) <= {201, 409}
    assert api.pots(old)["fuel"] == 0
    assert api.pots(new)["fuel"] == 100 + booked * 100  # every booked sale was moved, none lost
