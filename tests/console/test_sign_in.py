"""Signing in to the console in a real browser: password, lockout in the database, sessions, CSRF."""
from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.console.conftest import PASSWORD, Console
from tests.rigs.browser import assert_accessible


def test_an_agent_signs_in_and_out_and_the_cookie_is_locked_down(console: Console, browser_page) -> None:
    page = browser_page()
    username = console.new_account("agent")
    console.sign_in(page, username)
    page.wait_for_url(f"{console.url}/home")
    expect(page.get_by_role("heading", name="Ana sayfa")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Arayanı bul")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "opk_console")
    assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, True, "Strict", "/console")
    assert_accessible(page)
    page.get_by_role("button", name="Oturumu kapat").click()
    page.wait_for_url(f"{console.url}/sign-in?signed_out=1")
    expect(page.get_by_role("status")).to_have_text("Oturum kapatıldı.")
    page.goto(f"{console.url}/home")  # the old cookie is gone and its session ended
    page.wait_for_url(f"{console.url}/sign-in?ended=1")


def test_the_sign_in_page_is_english_on_a_click_and_accessible(console: Console, browser_page) -> None:
    page = browser_page()
    page.goto(console.url)
    assert_accessible(page)
    page.get_by_role("link", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    page.get_by_role("link", name="Türkçe'ye geç").click()
    expect(page.get_by_role("heading", name="Oturum aç")).to_be_visible()


def test_the_sign_in_is_usable_with_the_keyboard_alone(console: Console, browser_page) -> None:
    page = browser_page()
    username = console.new_account("admin")
    page.goto(f"{console.url}/sign-in")
    expect(page.get_by_label("Kullanıcı adı")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Parola")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console.url}/home")
    page.keyboard.press("Tab")  # the skip link comes first, then the menu
    expect(page.get_by_role("link", name="İçeriğe geç")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the home page's first menu entry
    page.wait_for_url(f"{console.url}/admin/fleet")


def test_wrong_passwords_lock_the_account_in_the_database_until_an_admin_unlocks_it(
    console: Console, browser_page
) -> None:
    page = browser_page()
    username = console.new_account("agent")
    for left in (4, 3, 2, 1):
        console.sign_in(page, username, "yanlış-parola-123")
        expect(page.get_by_role("alert")).to_contain_text(f"{left} deneme kaldı")
    console.sign_in(page, username, "yanlış-parola-123")
    expect(page.get_by_role("alert")).to_contain_text("15 dakika kilitli")
    console.sign_in(page, username)  # the right password is not even checked while locked
    expect(page.get_by_role("alert")).to_contain_text("kilitli")
    assert page.url.startswith(f"{console.url}/sign-in")
    console.cli("unlock-staff", "--username", username)
    console.sign_in(page, username)
    page.wait_for_url(f"{console.url}/home")


def test_the_lockout_ends_when_the_clock_moves_past_it(console: Console, browser_page) -> None:
    page = browser_page()
    username = console.new_account("agent")
    for _ in range(5):
        console.sign_in(page, username, "yanlış-parola-123")
    expect(page.get_by_role("alert")).to_contain_text("kilitli")
    console.service.advance_clock(15 * 60 + 1)
    console.sign_in(page, username)
    page.wait_for_url(f"{console.url}/home")


def test_an_unknown_username_is_answered_like_a_wrong_password(console: Console, browser_page) -> None:
    page = browser_page()
    console.sign_in(page, "nobody-here", "yanlış-parola-123")
    expect(page.get_by_role("alert")).to_have_text(
        "Kullanıcı adı veya parola yanlış. Kilitlenmeden önce 4 deneme kaldı.")


def test_the_session_ends_after_the_idle_timeout_and_after_its_maximum_age(console: Console, browser_page) -> None:
    page = console.agent_page(browser_page)
    console.service.advance_clock(14 * 60)
    page.goto(f"{console.url}/home")  # used within the idle timeout: the wait starts again
    expect(page.get_by_role("heading", name="Ana sayfa")).to_be_visible()
    console.service.advance_clock(15 * 60 + 1)
    page.goto(f"{console.url}/home")
    page.wait_for_url(f"{console.url}/sign-in?ended=1")
    expect(page.get_by_role("alert")).to_have_text("Oturumunuz sona erdi; yeniden oturum açın.")

    busy = console.agent_page(browser_page)
    for _ in range(10 * 60 // 14):  # busy all shift long: a request every 14 minutes for 10 hours
        console.service.advance_clock(14 * 60)
        busy.goto(f"{console.url}/home")
        expect(busy.get_by_role("heading", name="Ana sayfa")).to_be_visible()
    console.service.advance_clock(14 * 60)
    busy.goto(f"{console.url}/home")
    busy.wait_for_url(f"{console.url}/sign-in?ended=1")


def test_a_forged_post_without_the_sessions_csrf_token_is_refused(console: Console, browser_page) -> None:
    page = console.agent_page(browser_page)
    # Another site's form posts to the console with the victim's cookie (SameSite aside): no token
    response = page.request.post(f"{console.url}/sign-out", form={"csrf_token": "forged"})
    assert response.status == 403
    assert "hiçbir şey değişmedi" in response.text()
    page.goto(f"{console.url}/home")  # still signed in: the forged sign-out changed nothing
    expect(page.get_by_role("heading", name="Ana sayfa")).to_be_visible()


def test_a_sign_in_form_without_its_double_submit_cookie_is_refused(console: Console) -> None:
    username = console.new_account("agent")
    response = httpx.post(f"{console.url}/sign-in", data={"username": username, "password": PASSWORD,
                                                          "csrf_token": "guess"}, timeout=30)
    assert response.status_code == 403
    assert "opk_console" not in response.cookies


def test_an_agent_cannot_open_admin_pages(console: Console, browser_page) -> None:
    page = console.agent_page(browser_page)
    response = page.goto(f"{console.url}/admin/fleet")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_have_text("Bu sayfa hesabınızın rolüne açık değil.")
    assert_accessible(page)
