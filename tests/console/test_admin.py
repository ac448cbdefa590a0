"""The back office in a real browser: the fleet, attendants, console accounts, the audit, earn rates."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
from playwright.sync_api import expect

from tests.console.conftest import Console
from tests.rigs.browser import assert_accessible


def attendant_sign_in(console: Console, code: str, pin: str) -> httpx.Response:
    """``POST /v1/attendant-sessions`` from the rig's kiosk, as a kiosk's attendant mode sends it."""
    return httpx.post(f"{console.service.base_url}/v1/attendant-sessions", json={"code": code, "pin": pin},
                      headers={"Authorization": f"Bearer {console.service.token}"}, timeout=30)


def test_the_fleet_page_turns_a_kiosk_red_and_puts_it_on_top_when_its_heartbeats_stop(
    console: Console, browser_page
) -> None:
    quiet, busy = f"aaa-quiet-{uuid.uuid4().hex[:6]}", f"aaa-busy-{uuid.uuid4().hex[:6]}"
    quiet_token, busy_token = console.kiosk_token(quiet), console.kiosk_token(busy)
    console.heartbeat(quiet_token)
    console.heartbeat(busy_token)
    page = console.admin_page(browser_page)
    page.clock.install()  # the page's own timers run on a clock the test moves
    page.get_by_role("navigation").get_by_role("link", name="Kiosk filosu").click()
    fleet = page.get_by_role("table", name="Kiosk filosu")
    quiet_row = fleet.get_by_role("row").filter(has=page.get_by_role("rowheader", name=quiet))
    expect(quiet_row).to_contain_text("çalışıyor")
    expect(quiet_row).to_contain_text("42 ms")  # the service latency the kiosk's beat reported
    expect(quiet_row).to_contain_text("hazır")  # the reader's state in the page's language
    expect(quiet_row).not_to_have_class("silent")
    assert_accessible(page)

    console.service.advance_clock(120)
    console.heartbeat(busy_token)  # one kiosk goes on beating, the other stops
    console.service.advance_clock(120)  # the quiet one: 4 minutes without a beat (silent after 3)
    page.clock.run_for(16_000)  # the page's refresh comes round: no reload, no sleep
    expect(quiet_row).to_have_class("silent")
    expect(quiet_row).to_contain_text("sessiz")
    expect(quiet_row.get_by_role("rowheader")).to_have_css("color", "rgb(161, 0, 0)")  # red
    expect(quiet_row.get_by_role("cell").first).to_have_css("background-color", "rgb(253, 232, 232)")
    expect(fleet.locator("tbody tr").first).to_have_class("silent")  # silent kiosks on top
    busy_row = fleet.get_by_role("row").filter(has=page.get_by_role("rowheader", name=busy))
    expect(busy_row).to_have_class("healthy")
    assert page.url.endswith("/console/admin/fleet")  # the same page, refreshed in place
    assert_accessible(page)
    console.heartbeat(quiet_token)  # it beats again: healthy at the next refresh
    page.clock.run_for(16_000)
    expect(quiet_row).to_have_class("healthy")


def test_an_admin_adds_an_attendant_whose_pin_is_shown_once_then_resets_unlocks_and_disables_them(
    console: Console, browser_page
) -> None:
    code = f"7{uuid.uuid4().hex[:5]}"
    page = console.admin_page(browser_page)
    page.get_by_role("navigation").get_by_role("link", name="Görevliler").click()
    assert_accessible(page)
    page.get_by_label("Görevli kodu").fill(code)
    page.get_by_label("Ad soyad").fill("Yeni Görevli Ünsal")
    page.get_by_role("button", name="Ekle ve PIN oluştur").click()
    shown = page.get_by_role("status")
    expect(shown).to_contain_text("yalnızca şimdi gösterilir")
    pin = shown.locator("dd.secret").nth(1).inner_text()
    assert pin.isdigit() and len(pin) == 6
    assert_accessible(page)
    assert attendant_sign_in(console, code, pin).status_code == 201  # the kiosk's sign-in takes it
    page.goto(f"{console.url}/admin/attendants")
    assert pin not in page.content()  # shown once: never again

    for _ in range(5):
        attendant_sign_in(console, code, "000000")
    assert attendant_sign_in(console, code, pin).status_code == 403  # locked
    page.goto(f"{console.url}/admin/attendants")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))
    expect(row).to_contain_text("kilitli")
    row.get_by_role("button", name=f"{code} kodunun kilidini aç").click()
    expect(page.get_by_role("status")).to_have_text("Görevlinin kilidi açıldı.")
    assert attendant_sign_in(console, code, pin).status_code == 201

    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))
    row.get_by_role("button", name=f"{code} için yeni PIN").click()
    new_pin = page.get_by_role("status").locator("dd.secret").nth(1).inner_text()
    assert attendant_sign_in(console, code, pin).status_code == 401
    assert attendant_sign_in(console, code, new_pin).status_code == 201

    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))
    row.get_by_role("button", name=f"{code} görevlisini devre dışı bırak").click()
    expect(page.get_by_role("status")).to_contain_text("devre dışı")
    assert attendant_sign_in(console, code, new_pin).status_code == 401
    page.get_by_role("navigation").get_by_role("link", name="Denetim kaydı").click()
    page.get_by_label("Görevli kodu veya konsol kullanıcısı").fill(code)
    page.get_by_role("button", name="Ara").click()
    audit = page.get_by_role("table", name="Denetim kaydı")
    for action in ("attendant_added", "unlocked", "pin_changed", "disabled", "login", "locked_out"):
        expect(audit.get_by_role("cell", name=action, exact=True).first).to_be_visible()


def test_an_admin_adds_an_agent_account_and_disables_it(console: Console, browser_page) -> None:
    username = f"agent-{uuid.uuid4().hex[:6]}"
    page = console.admin_page(browser_page)
    page.get_by_role("navigation").get_by_role("link", name="Konsol hesapları").click()
    assert_accessible(page)
    page.get_by_label("Kullanıcı adı", exact=True).fill(username)
    page.get_by_label("Görünen ad", exact=True).fill("Çağrı Temsilcisi")
    page.get_by_label("Rol", exact=True).select_option("agent")
    page.get_by_role("button", name="Ekle ve parola oluştur").click()
    password = page.get_by_role("status").locator("dd.secret").nth(1).inner_text()
    agent = browser_page()
    console.sign_in(agent, username, password)
    agent.wait_for_url(f"{console.url}/home")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=username))
    row.get_by_role("button", name=f"{username} hesabını devre dışı bırak").click()
    expect(page.get_by_role("status")).to_contain_text("devre dışı")
    agent.goto(f"{console.url}/home")  # the disabled account's open session ended at once
    agent.wait_for_url(f"{console.url}/sign-in?ended=1")


def test_the_audit_is_searched_by_staff_member_and_by_date(console: Console, browser_page) -> None:
    agent = console.new_account("agent")
    signed_in = browser_page()
    console.sign_in(signed_in, agent)
    signed_in.wait_for_url(f"{console.url}/home")
    page = console.admin_page(browser_page)
    page.goto(f"{console.url}/admin/audit")
    assert_accessible(page)
    page.get_by_label("Görevli kodu veya konsol kullanıcısı").fill(agent)
    page.get_by_role("button", name="Ara").click()
    audit = page.get_by_role("table", name="Denetim kaydı")
    expect(audit.get_by_role("cell", name="console_sign_in", exact=True)).to_have_count(1)
    expect(audit.get_by_role("cell", name=agent, exact=True)).to_have_count(1)
    assert_accessible(page)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    page.get_by_label("Görevli kodu veya konsol kullanıcısı").fill(agent)
    page.get_by_label("Başlangıç tarihi").fill(tomorrow)
    page.get_by_role("button", name="Ara").click()
    expect(audit).to_contain_text("Kayıt yok.")


def test_an_admin_adds_an_earn_rate_from_a_date(console: Console, browser_page) -> None:
    page = console.admin_page(browser_page)
    page.get_by_role("navigation").get_by_role("link", name="Kazanma oranları").click()
    in_force = page.get_by_role("table", name=page.locator("#in-force").inner_text())
    expect(in_force.get_by_role("row").filter(has_text="Otogaz")).to_contain_text("%0,5")
    assert_accessible(page)
    start = dt.date(2031, 1, 1 + uuid.uuid4().int % 28)
    page.get_by_label("Yakıt türü").select_option("otogaz")
    page.get_by_label("Oran (yüzde, ör. 0,5)").fill("0,75")
    page.get_by_label("Geçerlilik başlangıcı").fill(start.isoformat())
    page.get_by_role("button", name="Oranı ekle").click()
    expect(page.get_by_role("status")).to_have_text("Yeni oran eklendi.")
    every = page.get_by_role("table", name="Tüm oranlar")
    expect(every.get_by_role("row").filter(has_text=start.strftime("%d.%m.%Y"))).to_contain_text("%0,75")
    expect(every.get_by_role("row").filter(has_text=start.strftime("%d.%m.%Y"))).to_contain_text("ileride")
    page.get_by_label("Yakıt türü").select_option("otogaz")
    page.get_by_label("Oran (yüzde, ör. 0,5)").fill("0,75")
    page.get_by_label("Geçerlilik başlangıcı").fill(start.isoformat())
    page.get_by_role("button", name="Oranı ekle").click()
    expect(page.get_by_role("alert")).to_contain_text("Yapılamadı")


def test_every_admin_page_in_english_is_accessible(console: Console, browser_page) -> None:
    page = console.admin_page(browser_page)
    page.get_by_role("link", name="Switch to English").click()
    for name in ("Kiosk fleet", "Attendants", "Console accounts", "Audit", "Earn rates"):
        page.get_by_role("navigation").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        assert_accessible(page)


def test_a_forged_admin_form_is_refused_and_changes_nothing(console: Console, browser_page) -> None:
    page = console.admin_page(browser_page)
    response = page.request.post(f"{console.url}/admin/staff", form={
        "csrf_token": "", "action": "add", "username": "forged-admin", "name": "X", "role": "admin"})
    assert response.status == 403
    page.goto(f"{console.url}/admin/staff")
    expect(page.get_by_role("rowheader", name="forged-admin")).to_have_count(0)
