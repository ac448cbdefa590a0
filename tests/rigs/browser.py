"""Browser rig: Playwright for Python driving the distribution's Chromium, headless.

Playwright's own browser download is not reachable from the project's machines, so the rig
launches ``/usr/bin/chromium`` (``apt-get install chromium``; ``$OPET_CHROMIUM`` overrides it)
with ``executable_path``, and ``--no-sandbox`` when running as root. ``browser`` is one
Chromium per test session; ``browser_page`` makes a fresh context per call (its own cookies)
at an office screen's 1366x768. :func:`assert_accessible` runs axe-core's rules (through
axe-playwright-python, which ships axe-core) on the page and fails on any violation of
WCAG 2.0/2.1/2.2 level A or AA.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("OPET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
OFFICE_SCREEN = {"width": 1366, "height": 768}
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
HANG_MS = 20_000
"""Bounds a wait for the page that would otherwise hang (never a measure of speed)."""

_axe = Axe()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium of the distribution, for the whole test session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Makes pages, each in a context of its own (a browser of its own: cookies, storage), closed after the test."""
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(viewport=OFFICE_SCREEN, locale="tr-TR", timezone_id="Europe/Istanbul")
        context.set_default_timeout(HANG_MS)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG A and AA violations on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA},
                                      "resultTypes": ["violations"]})
    return list(results.response["violations"])


def assert_accessible(page: Page) -> None:
    """Fails with axe-core's findings when the page violates a WCAG A or AA rule."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}"
        for v in violations)
