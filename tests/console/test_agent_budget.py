"""An agent's look-ups, searches and identity checks spend one budget in the database, like an attendant's."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.console.conftest import Console
from tests.console.test_agent import find_by_number, holder_card
from tests.rigs.central import running_central


@pytest.fixture(scope="module")
def tight_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A service whose agents (and attendants) get 4 look-ups an hour, on a standing clock."""
    workdir = tmp_path_factory.mktemp("console-budget")
    with running_central(f"sqlite:///{workdir / 'central.db'}", workdir, frozen_clock=True,
                         serve_args=("--attendant-lookups-per-hour", "4", "--console-idle-timeout", "3600")) as service:
        yield Console(service, "sqlite")


def test_guessing_a_callers_answers_spends_the_agents_budget(tight_console: Console, browser_page) -> None:
    console = tight_console
    old, *_ = holder_card(console, fuel=100)
    page = console.agent_page(browser_page)
    find_by_number(page, console, old)  # 1
    page.get_by_role("link", name=f"…{old[-4:]} kartını aç").click()
    for guess in ("0001", "0002", "0003"):  # 2, 3, 4
        page.get_by_label("Arayanın söylediği doğum tarihi").fill("1983-07-09")
        page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill(guess)
        page.get_by_role("button", name="Cevapları kontrol et").click()
        expect(page.get_by_role("alert")).to_have_text("Cevaplar kayıtla eşleşmiyor. Puan taşınmadı.")
    page.get_by_label("Arayanın söylediği doğum tarihi").fill("1983-07-09")
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("2233")  # right, but too late
    page.get_by_role("button", name="Cevapları kontrol et").click()
    expect(page.get_by_role("alert")).to_have_text("Çok fazla arama yapıldı; biraz bekleyin.")
    find_by_number(page, console, old)
    expect(page.get_by_role("alert")).to_have_text("Çok fazla arama yapıldı; biraz bekleyin.")
    console.service.advance_clock(15 * 60)  # a quarter of an hour gives one back
    find_by_number(page, console, old)
    expect(page.get_by_role("link", name=f"…{old[-4:]} kartını aç")).to_be_visible()
