"""The call centre in a real browser: find the caller, confirm identity, move the points, block, register."""
from __future__ import annotations

import datetime as dt
import re

import httpx
from playwright.sync_api import Page, expect

from tests.central.conftest import new_card_number
from tests.console.conftest import Console
from tests.rigs.browser import assert_accessible


def holder_card(console: Console, fuel: int, autogas: int = 0) -> tuple[str, str, str, str]:
    """A registered, activated card earning ``fuel``/``autogas`` hundredths by till sales: (number, name, birth date, phone)."""
    till = console.cli("add-device", "--kind", "till", "--name", "test-till").strip()
    operations = console.cli("add-device", "--kind", "operations", "--name", "test-operations").strip()
    number, name, born, phone = new_card_number(), "Şule Çağlar Işıkgöz", "1983-07-09", "+905301112233"
    with httpx.Client(base_url=console.service.base_url, timeout=30) as http:
        registered = http.post("/v1/registrations", headers={"Authorization": f"Bearer {till}"}, json={
            "card_number": number, "full_name": name, "birth_date": born, "phone": phone, "consent": True})
        assert registered.status_code == 201, registered.text
        activated = http.post(f"/v1/cards/{number}/activation", headers={"Authorization": f"Bearer {operations}"},
                              json={"full_name": "ŞULE ÇAĞLAR IŞIKGÖZ", "birth_date": born})
        assert activated.status_code == 200, activated.text
        for amount, fuel_type in ((fuel * 200, "dizel"), (autogas * 200, "otogaz")):
            if amount:
                sale = http.post("/v1/sales", headers={"Authorization": f"Bearer {till}", "Idempotency-Key": number + fuel_type},
                                 json={"card_number": number, "fuel_type": fuel_type, "amount": amount, "station": "IST-001",
                                       "sold_at": dt.datetime.now(dt.timezone.utc).isoformat()})
                assert sale.status_code == 201, sale.text
    return number, name, born, phone


def pots(console: Console, number: str) -> dict[str, int]:
    token = console.service.token
    response = httpx.get(f"{console.service.base_url}/v1/cards/{number}", params={"entry": "tapped"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["status"], response.json()["pots"]


def find_by_number(page: Page, console: Console, number: str) -> None:
    page.goto(f"{console.url}/agent/find")
    page.get_by_label("Kart numarası", exact=True).fill(number)
    page.get_by_role("region", name="Kart numarasıyla").get_by_role("button", name="Ara").click()


def assert_no_full_number(page: Page, console: Console, *numbers: str) -> None:
    html, url, log = page.content(), page.url, console.service.log_text()
    for number in numbers:
        assert number not in html and number not in url and number not in log


def test_an_agent_moves_a_callers_points_to_the_new_card(console: Console, browser_page) -> None:
    old, name, born, phone = holder_card(console, fuel=12345, autogas=678)
    new = new_card_number()
    page = console.agent_page(browser_page)
    page.get_by_role("navigation").get_by_role("link", name="Arayanı bul").click()
    assert_accessible(page)
    # found by name (typed without Turkish letters), birth date and mobile, as the attendant search does
    holder = page.get_by_role("region", name="Ad, doğum tarihi ve cep telefonuyla")
    holder.get_by_label("Ad soyad").fill("sule caglar isikgoz")
    holder.get_by_label("Doğum tarihi").fill(born)
    holder.get_by_label("Cep telefonu").fill("0530 111 22 33")
    holder.get_by_role("button", name="Ara").click()
    results = page.get_by_role("table", name="Bulunan kartlar")
    expect(results).to_contain_text(f"…{old[-4:]}")
    expect(results).to_contain_text("Ş*** Ç***** I******")
    assert_accessible(page)
    page.get_by_role("link", name=f"…{old[-4:]} kartını aç").click()
    expect(page.get_by_role("heading", name=f"Kart …{old[-4:]}")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("1983")
    expect(facts).to_contain_text("2233")
    expect(facts).to_contain_text("123,45")
    expect(page.get_by_role("table", name="Son hareketler")).to_contain_text("alışverişten kazanç")
    assert_accessible(page)
    assert not re.search(r"\d{16}", page.url)

    # a wrong answer is refused by the server and moves nothing
    page.get_by_label("Arayanın söylediği doğum tarihi").fill(born)
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("9999")
    page.get_by_role("button", name="Cevapları kontrol et").click()
    expect(page.get_by_role("alert")).to_have_text("Cevaplar kayıtla eşleşmiyor. Puan taşınmadı.")

    page.get_by_label("Arayanın söylediği doğum tarihi").fill(born)
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("2233")
    page.get_by_role("button", name="Cevapları kontrol et").click()
    expect(page.get_by_role("status")).to_have_text("Arayanın cevapları kayıtla eşleşiyor.")
    assert_accessible(page)
    page.get_by_label("Arayanın okuduğu yeni kart numarası").fill(" ".join(re.findall("....", new)))
    page.get_by_label("Çağrı numarası").fill("CALL-4711")
    form = page.locator("form[action$='/replacement']")
    action = form.get_attribute("action")
    sent = {name: form.locator(f"[name='{name}']").input_value() for name in (
        "csrf_token", "birth_date", "phone_last4", "idempotency_key", "new_card_number", "call_reference")}
    page.get_by_role("button", name=re.compile("^Taşı: ")).click()
    expect(page.get_by_role("heading", name="Puanlar taşındı")).to_be_visible()
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{6}", code)
    assert_accessible(page)
    assert pots(console, new) == ("active", {"fuel": 12345, "autogas": 678})
    assert pots(console, old) == ("replaced", {"fuel": 0, "autogas": 0})

    # the same form sent again (a double click, a resubmitted page): the same answer, nothing moves twice
    again = page.request.post(f"{console.service.base_url}{action}", form=sent)
    assert again.status == 200 and '<p class="code"' in again.text() and code in again.text()
    assert pots(console, new) == ("active", {"fuel": 12345, "autogas": 678})
    assert_no_full_number(page, console, old, new)

    # the agent and the call are in the audit trail
    admin = console.admin_page(browser_page)
    admin.goto(f"{console.url}/admin/audit")
    admin.get_by_label("Kart numarası").fill(old)
    admin.get_by_role("button", name="Ara").click()
    audit = admin.get_by_role("table", name="Denetim kaydı")
    expect(audit.get_by_role("row").filter(has_text="replacement").first).to_contain_text("CALL-4711")
    expect(audit.get_by_role("row").filter(has_text="replacement").first).to_contain_text(code)
    expect(audit.get_by_role("row").filter(has_text="replacement").first).to_contain_text("agent-")


def test_the_new_card_must_be_blank(console: Console, browser_page) -> None:
    old, _name, born, _phone = holder_card(console, fuel=500)
    used, *_ = holder_card(console, fuel=100)
    page = console.agent_page(browser_page)
    find_by_number(page, console, old)
    page.get_by_role("link", name=f"…{old[-4:]} kartını aç").click()
    page.get_by_label("Arayanın söylediği doğum tarihi").fill(born)
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("2233")
    page.get_by_role("button", name="Cevapları kontrol et").click()
    page.get_by_label("Arayanın okuduğu yeni kart numarası").fill(used)
    page.get_by_label("Çağrı numarası").fill("CALL-1")
    page.get_by_role("button", name=re.compile("^Taşı: ")).click()
    expect(page.get_by_role("alert")).to_contain_text("Yeni kart boş değil")
    assert pots(console, old) == ("active", {"fuel": 500, "autogas": 0})


def test_an_agent_blocks_a_stolen_card_which_can_still_be_replaced(console: Console, browser_page) -> None:
    old, _name, born, _phone = holder_card(console, fuel=700)
    page = console.agent_page(browser_page)
    find_by_number(page, console, old)
    page.get_by_role("link", name=f"…{old[-4:]} kartını aç").click()
    page.get_by_label("Arayan kartın çalındığını veya kaybolduğunu bildirdi").check()
    page.get_by_role("button", name="Kartı bloke et").click()
    expect(page.get_by_role("status")).to_contain_text("Kart bloke edildi")
    expect(page.locator("dl.facts")).to_contain_text("bloke")
    assert_accessible(page)
    assert pots(console, old)[0] == "blocked"
    new = new_card_number()
    page.get_by_label("Arayanın söylediği doğum tarihi").fill(born)
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("2233")
    page.get_by_role("button", name="Cevapları kontrol et").click()
    page.get_by_label("Arayanın okuduğu yeni kart numarası").fill(new)
    page.get_by_label("Çağrı numarası").fill("CALL-2")
    page.get_by_role("button", name=re.compile("^Taşı: ")).click()
    expect(page.get_by_role("heading", name="Puanlar taşındı")).to_be_visible()
    # the points move; the activation does not (the old card was blocked, not active): the kiosk's rule
    assert pots(console, new) == ("not_activated", {"fuel": 700, "autogas": 0})


def test_an_agent_registers_a_holder_from_the_callers_details(console: Console, browser_page) -> None:
    number = new_card_number()
    page = console.agent_page(browser_page)
    page.get_by_role("navigation").get_by_role("link", name="Kart kaydı").click()
    assert_accessible(page)
    page.get_by_label("Kart numarası", exact=True).fill(number)
    page.get_by_label("Ad soyad").fill("Gökçe Ünal")
    page.get_by_label("Doğum tarihi").fill("1990-01-31")
    page.get_by_label("Cep telefonu").fill("05321234567")
    page.get_by_label("Arayan iletişim iznini verdi").check()
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("status")).to_have_text(f"…{number[-4:]} kartı kaydedildi.")
    assert_accessible(page)
    page.get_by_role("link", name=f"…{number[-4:]} kartını aç").click()
    expect(page.locator("dl.facts")).to_contain_text("G**** Ü***")
    assert_no_full_number(page, console, number)


def test_an_agents_card_page_is_english_on_a_click(console: Console, browser_page) -> None:
    old, *_ = holder_card(console, fuel=123456)
    page = console.agent_page(browser_page)
    find_by_number(page, console, old)
    page.get_by_role("link", name="Switch to English").click()  # back to the search form, now in English
    page.get_by_label("Card number", exact=True).fill(old)
    page.get_by_role("region", name="By card number").get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Open card …{old[-4:]}").click()
    expect(page.get_by_role("heading", name="Confirm identity")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("1,234.56")
    assert_accessible(page)
