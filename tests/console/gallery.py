"""Screenshots of every console page for docs/console/ (``python -m tests.console.gallery``).

Runs the real service on a throwaway SQLite file with the demo data, drives the distribution's
Chromium through a call-centre replacement of a demo card and every back-office page, at an
office screen's 1366x768, in Turkish (and a few in English), checks each page with axe-core's
A/AA rules, and writes ``docs/console/<page>-<lang>.png`` and ``docs/console/README.md``.
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from central.domain.demo_data import DEMO_NEW_CARDS, DEMO_STAFF
from tests.console.conftest import Console
from tests.rigs.browser import CHROMIUM, OFFICE_SCREEN, assert_accessible
from tests.rigs.central import running_central

OUT = Path(__file__).resolve().parents[2] / "docs" / "console"
ENDER_CARD, ENDER_BORN, ENDER_PHONE_LAST4 = "7000070012806566", "1974-03-20", "4567"


class Shots:
    """Takes the screenshots and remembers them for the index."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[tuple[str, str]] = []

    def __call__(self, page: Page, name: str, title: str) -> None:
        assert_accessible(page)
        assert not re.search(r"(?<!\d)\d{16}(?!\d)", page.content()), f"{name}: a full card number on the page"
        page.screenshot(path=str(self.out / f"{name}.png"), full_page=True)
        self.taken.append((name, title))


def _sign_in(page: Page, console: Console, username: str, password: str) -> None:
    page.goto(f"{console.url}/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{console.url}/home")


def agent_pages(page: Page, console: Console, shot: Shots) -> None:
    """Find Ender Aytekin's card, check his answers, move his points to a blank demo card, register one."""
    username, _name, _role, password = DEMO_STAFF[0]
    page.goto(f"{console.url}/sign-in")
    shot(page, "sign-in-tr", "Sign-in (Turkish)")
    _sign_in(page, console, username, password)
    shot(page, "agent-home-tr", "Agent's home page")
    page.goto(f"{console.url}/agent/find")
    page.locator("#full_name").fill("ender aytekin")
    page.locator("#birth_date").fill(ENDER_BORN)
    page.locator("#phone").fill("0555 123 45 67")
    page.locator("form[action$='/find/holder'] button").click()
    shot(page, "agent-find-tr", "Find the caller: by name, birth date and mobile")
    page.locator("table a").first.click()
    shot(page, "agent-card-tr", "The caller's card, masked, with the identity questions")
    page.locator("#birth_date").fill(ENDER_BORN)
    page.locator("#phone_last4").fill(ENDER_PHONE_LAST4)
    page.locator("form[action$='/identity'] button").click()
    page.locator("#new_card_number").fill(DEMO_NEW_CARDS[0])
    page.locator("#call_reference").fill("2026-12-07/0412")
    shot(page, "agent-move-tr", "Identity confirmed: the new card number the caller reads out")
    page.locator("form[action$='/replacement'] button").click()
    shot(page, "agent-moved-tr", "Points moved: the confirmation code to read back")
    page.goto(f"{console.url}/agent/register")
    shot(page, "agent-register-tr", "Register a holder from the caller's details")
    page.goto(f"{console.url}/language/en?back=/console/agent/find")
    page.locator("#card_number").fill(DEMO_NEW_CARDS[0])
    page.locator("form[action$='/find/number'] button").click()
    page.locator("table a").first.click()
    shot(page, "agent-card-en", "The new card after the move (English)")


def admin_pages(page: Page, console: Console, shot: Shots) -> None:
    """Two kiosks, one gone silent; the attendants with a PIN shown once; accounts; audit; rates."""
    for name in ("IST-KADIKOY-01", "ANK-CANKAYA-02"):
        token = console.kiosk_token(name)
        console.heartbeat(token)
        if name.startswith("IST"):
            console.service.advance_clock(300)  # Kadıköy's kiosk stops beating
    username, _name, _role, password = DEMO_STAFF[1]
    _sign_in(page, console, username, password)
    page.goto(f"{console.url}/admin/fleet")
    shot(page, "admin-fleet-tr", "Fleet: a silent kiosk on top in red")
    page.goto(f"{console.url}/admin/attendants")
    page.locator("#code").fill("1002")
    page.locator("#name").fill("AYŞE GÖREVLİ")
    page.locator("form[aria-labelledby='add-attendant'] button").click()
    shot(page, "admin-attendants-tr", "Attendants: a new attendant's PIN, shown once")
    page.goto(f"{console.url}/admin/staff")
    shot(page, "admin-staff-tr", "Console accounts")
    page.goto(f"{console.url}/admin/audit")
    page.locator("#card_number").fill(ENDER_CARD)
    page.locator("form[action$='/audit'] button").click()
    shot(page, "admin-audit-tr", "Audit: searched by card (last 4 shown), with the card's events")
    page.goto(f"{console.url}/admin/earn-rules")
    shot(page, "admin-earn-rules-tr", "Earn rates in force and a new rate from a date")
    page.goto(f"{console.url}/language/en?back=/console/admin/fleet")
    shot(page, "admin-fleet-en", "Fleet (English)")


def write_index(shot: Shots) -> None:
    lines = ["# The web console, page by page", "",
             "Made by `python -m tests.console.gallery` (the real service and Chromium at 1366x768; every page "
             "passes axe-core's WCAG A/AA rules and shows no full card number).", ""]
    for name, title in shot.taken:
        lines += [f"## {title}", "", f"![{title}]({name}.png)", ""]
    (shot.out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shot = Shots(args.out)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        workdir = Path(work)
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir, frozen_clock=True,
                             serve_args=("--kiosk-silent-after", "180")) as service:
            console = Console(service, "sqlite")
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for pages in (agent_pages, admin_pages):
                context = browser.new_context(viewport=OFFICE_SCREEN, locale="tr-TR", timezone_id="Europe/Istanbul")
                pages(context.new_page(), console, shot)
                context.close()
            browser.close()
            assert httpx.get(f"{service.base_url}/healthz", timeout=10).status_code == 200
    write_index(shot)
    print(f"{len(shot.taken)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
