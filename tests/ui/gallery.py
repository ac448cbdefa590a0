"""Screenshot gallery: every driver screen, in both languages and high contrast, at one
screen size, with checks on what a person would notice.

Self-contained: it starts its own Xvfb exactly the size of the screen, its own central
service (SQLite, demo cards), and the real kiosk app; screens are reached through the
session as the buttons would reach them. Per scene it checks that every visible touch
target is at least 15 mm, that no text overflows its label, and that no full card number
is shown, and that the label's font has a glyph for every character it shows (an empty box
otherwise). Prints a JSON summary; exits 1 when a check fails.

    python -m tests.ui.gallery --size 1280x800 --out docs/screenshots
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hardware.card_number import CardNumber
from kiosk.attendant_desk import DeskStep
from kiosk.balance import Entry
from kiosk.holder_form import FormField
from kiosk.session import KioskSession
from kiosk.state import ActivationField, ActivationNotice, AttendantCall, Problem, ReaderHealth, Screen
from tests.rigs.central import CentralService
from tests.rigs.holders import block, fresh_number, registered_card
from tests.rigs.network_path import NetworkPath
from tests.rigs.xvfb import start_xvfb
from tests.screens.glyphs import font_file, missing_characters

ACTIVE = CardNumber.parse("7000070012806566")
NEW_CARDS = (CardNumber.parse("7000072026000012"), CardNumber.parse("7000072026000020"))
REGISTER_CARDS = {"tr": CardNumber.parse("7000072026000038"), "en": CardNumber.parse("7000072026000046")}
ATTENDANT_CODE, ATTENDANT_PIN = "1001", "1234"
NOT_ACTIVATED = CardNumber.parse("7000071234567895")
REPLACED = CardNumber.parse("7000075555000014")
UNKNOWN = CardNumber.parse("7000075555000022")
UNREGISTERED = CardNumber.parse("7000079876543215")
DIAGONAL_INCHES = 15.6
FULL_NUMBER = re.compile(r"(?<!\d)(?:\d[ ]?){16}(?!\d)")
HANG_S = 60.0
"""Waits on a scene only bound a hang: a loaded machine may be slow, never this slow."""


@dataclass
class SceneReport:
    name: str
    path: str
    problems: list[str] = field(default_factory=list)


class Gallery:
    def __init__(self, app, out: Path, size: tuple[int, int]) -> None:
        from tests.ui.kivy_driver import KivyDriver

        self.app = app
        self.driver = KivyDriver(app)
        self.out = out
        self.size = size
        self.reports: list[SceneReport] = []

    @property
    def session(self) -> KioskSession:
        """The app's session (built after the first frame)."""
        return self.app.session

    def scene(
        self, name: str, reach: Callable[[], None], until: Screen | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        reach()
        if until is not None:
            self.driver.pump_until(lambda: self.session.state.screen is until, HANG_S, f"{name}: {until.value}")
        if ready is not None:
            self.driver.pump_until(ready, HANG_S, f"{name}: ready")
        self.driver.pump(0.25)
        width, height = self.size
        path = self.out / f"{width}x{height}-{name}.png"
        self.driver.screenshot(path)
        report = SceneReport(name, str(path))
        report.problems.extend(self._check_widgets())
        self.reports.append(report)

    def _check_widgets(self) -> list[str]:
        from kivy.uix.button import Button
        from kivy.uix.label import Label

        problems = []
        touch_min = self.app.touch_min
        for widget in self.driver.visible_widgets():
            if isinstance(widget, Button) and not widget.disabled:
                if min(widget.width, widget.height) + 0.5 < touch_min:
                    problems.append(f"touch target {widget.text!r} is {widget.width:.0f}x{widget.height:.0f} px < {touch_min:.0f}")
            if isinstance(widget, Label) and widget.text:
                text_w, text_h = widget.texture_size
                if text_w > widget.width + 1 or text_h > widget.height + 1:
                    problems.append(f"text overflows: {widget.text[:40]!r} ({text_w}x{text_h} in {widget.width:.0f}x{widget.height:.0f})")
                if FULL_NUMBER.search(widget.text):
                    problems.append(f"full card number on screen: {widget.text[-4:]}")
                font = font_file(widget.font_name, widget.bold)
                if missing := missing_characters(widget.text, (font,), markup=widget.markup):
                    problems.append(f"no glyph in {Path(font).name} for {', '.join(missing)}: {widget.text[:40]!r}")
        return problems


def run_scenes(gallery: Gallery) -> None:
    """The driver's screens, before attendant mode replaces the demo cards they show."""
    session = gallery.session
    for language in ("tr", "en"):
        session.go_home()
        session.set_language(language)
        suffix = f"-{language}"
        gallery.scene("attract" + suffix, lambda: None)
        gallery.scene("reading" + suffix, session.card_presented)
        gallery.scene("balance-active" + suffix, lambda: session.show_card(ACTIVE, Entry.TAPPED), Screen.BALANCE,
                      ready=lambda: session.state.movements is not None or session.state.movements_unavailable)
        gallery.scene("balance-not-activated" + suffix, lambda: session.show_card(NOT_ACTIVATED, Entry.TAPPED),
                      Screen.BALANCE, ready=lambda: session.state.movements is not None)
        gallery.scene("activation-help" + suffix, session.open_activation_help)
        gallery.scene("balance-replaced" + suffix, lambda: session.show_card(REPLACED, Entry.TAPPED), Screen.BALANCE,
                      ready=lambda: session.state.movements is not None)

        def type_partly() -> None:
            session.open_keypad()
            for digit in ACTIVE.digits[:9]:
                session.keypad_press(digit)
            session.keypad_submit()

        gallery.scene("keypad" + suffix, type_partly)
        gallery.scene("problem-unknown-card" + suffix, lambda: session.show_card(UNKNOWN, Entry.TYPED), Screen.PROBLEM)
        gallery.scene("lost-card" + suffix, session.open_lost_card)

        def no_reader() -> None:
            session.go_home()
            session.reader_health_changed(ReaderHealth.NO_READER)

        gallery.scene("attract-no-reader" + suffix, no_reader)
        session.reader_health_changed(ReaderHealth.READY)
    session.go_home()
    session.set_language("tr")
    session.toggle_high_contrast()
    gallery.scene("attract-high-contrast-tr", lambda: None)
    gallery.scene("balance-high-contrast-tr", lambda: session.show_card(NOT_ACTIVATED, Entry.TAPPED), Screen.BALANCE,
                  ready=lambda: session.state.movements is not None)
    session.toggle_high_contrast()


def book_movements(base_url: str, till_token: str) -> None:
    """Earnings and a spending of the active demo card, so that its balance shows recent movements."""
    import datetime as dt
    import uuid

    import httpx

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {till_token}"}, timeout=10) as till:
        for days_ago, path, body in (
            (9, "/v1/sales", {"fuel_type": "benzin", "amount": 150_000, "station": "OPET Maslak"}),
            (6, "/v1/sales", {"fuel_type": "otogaz", "amount": 60_000, "station": "OPET Kadıköy"}),
            (4, "/v1/redemptions", {"fuel_type": "benzin", "points": 2_500, "station": "OPET Ataşehir"}),
            (2, "/v1/sales", {"fuel_type": "dizel", "amount": 240_000, "station": "OPET Ankara Eskişehir Yolu"}),
            (1, "/v1/sales", {"fuel_type": "benzin", "amount": 90_000, "station": "OPET Levent"}),
        ):
            at = (now - dt.timedelta(days=days_ago)).isoformat()
            moment = {"sold_at": at} if path == "/v1/sales" else {"redeemed_at": at}
            response = till.post(path, headers={"Idempotency-Key": uuid.uuid4().hex},
                                 json={"card_number": ACTIVE.digits, **body, **moment})
            response.raise_for_status()


def run_dead_end_scenes(gallery: Gallery, service: CentralService) -> None:
    """Issue 17's screens, in both languages: a blocked card (and the attendant called), a card
    not registered yet and how to register it, a card the kiosk cannot read, "Activate here"
    (typing, a wrong birth date, the card active), each on cards of the gallery's own."""
    session = gallery.session
    blocked = registered_card(service, "ENDER AYTEKİN", dt.date(1974, 3, 20))
    block(service, blocked)
    for language in ("tr", "en"):
        session.go_home()
        session.set_language(language)
        suffix = f"-{language}"
        gallery.scene("balance-blocked" + suffix, lambda: session.show_card(blocked, Entry.TAPPED), Screen.BALANCE)
        gallery.scene("balance-blocked-attendant-called" + suffix, session.call_attendant,
                      ready=lambda: session.state.attendant_call is AttendantCall.CALLED)
        gallery.scene("balance-not-registered" + suffix, lambda: session.show_card(UNREGISTERED, Entry.TAPPED), Screen.BALANCE)
        gallery.scene("registration-help" + suffix, session.open_registration_help)
        gallery.scene("problem-unreadable-card" + suffix, lambda: session.card_unreadable(Problem.UNSUPPORTED_CARD))
        waiting = registered_card(service, "AYŞE ŞAHİN", dt.date(1988, 11, 2))
        gallery.scene("balance-activate-here-offered" + suffix, lambda: session.show_card(waiting, Entry.TAPPED), Screen.BALANCE)

        def type_name_and_date(name: str = "AYŞE ŞAHİN" if language == "tr" else "AYSE SAHIN") -> None:
            session.open_activate_here()
            session.activation_focus(ActivationField.NAME)
            for key in name:
                session.activation_key(key)
            session.activation_focus(ActivationField.BIRTH_DATE)
            for key in "0311198":
                session.activation_key(key)

        gallery.scene("activate-here" + suffix, type_name_and_date)

        def wrong_date() -> None:
            session.activation_key("8")
            session.activation_submit()

        def settled() -> bool:
            form = session.state.activation
            return form is not None and not form.busy

        gallery.scene("activate-here-wrong-birth-date" + suffix, wrong_date, ready=settled)

        def right_date() -> None:
            for key in "02111988":
                session.activation_key(key)
            session.activation_submit()

        gallery.scene("balance-activated-here" + suffix, right_date, Screen.BALANCE)

        locked = registered_card(service, "ŞÜKRÜ IĞDIR", dt.date(1984, 3, 29))

        def too_many_attempts() -> None:
            """Five wrong birth dates spend the card's activation budget; the sixth try is refused."""
            session.show_card(locked, Entry.TAPPED)
            gallery.driver.pump_until(lambda: session.state.screen is Screen.BALANCE, HANG_S, "the balance")
            session.open_activate_here()
            for key in "ŞÜKRÜ IĞDIR":
                session.activation_key(key)
            session.activation_focus(ActivationField.BIRTH_DATE)
            for day in range(1, 7):
                for key in f"{day:02d}031984":
                    session.activation_key(key)
                session.activation_submit()
                gallery.driver.pump_until(settled, HANG_S, "the activation's answer")

        gallery.scene("activate-here-too-many-attempts" + suffix, too_many_attempts,
                      ready=lambda: session.state.activation is not None
                      and session.state.activation.notice is ActivationNotice.TOO_MANY_ATTEMPTS)
    session.go_home()
    session.set_language("tr")


def run_blocked_replacement_scenes(gallery: Gallery, service: CentralService) -> None:
    """An attendant replaces a blocked (reported lost) card: found by its number, the identity
    checked, points moved; the receipt's QR code on the last screen."""
    desk, session = gallery.app.desk, gallery.session
    for language in ("tr", "en"):
        lost = registered_card(service, "DENİZ ÇELİK", dt.date(1995, 5, 5))
        block(service, lost)
        session.set_language(language)
        suffix = f"-{language}"

        def sign_in() -> None:
            desk.open()
            for form_field, text in ((FormField.ATTENDANT_CODE, ATTENDANT_CODE), (FormField.PIN, ATTENDANT_PIN)):
                desk.focus(form_field)
                for key in text:
                    desk.type_key(key)
            desk.sign_in()

        sign_in()
        gallery.driver.pump_until(lambda: not desk.state.busy, HANG_S, "signed in")
        desk.start_replacement()

        def look_up() -> None:
            desk.focus(FormField.CARD_NUMBER)
            for key in lost.digits:
                desk.type_key(key)
            desk.find()

        gallery.scene("attendant-confirm-identity-blocked" + suffix, look_up,
                      ready=lambda: desk.state.step is DeskStep.CONFIRM_IDENTITY)

        def moved() -> None:
            desk.focus(FormField.BIRTH_DATE)
            for key in "05051995":
                desk.type_key(key)
            desk.identity_confirmed()
            session.show_card(fresh_number(), Entry.TAPPED)
            desk.confirm_move()

        gallery.scene("attendant-move-done-blocked" + suffix, moved,
                      ready=lambda: not desk.state.busy and desk.state.moved is not None)
        desk.sign_out()
    session.set_language("tr")


def run_service_down_scene(gallery: Gallery, stop_service: Callable[[], None]) -> None:
    """Last: the service is stopped for good."""
    gallery.session.go_home()
    stop_service()
    gallery.scene("problem-service-down-tr", lambda: gallery.session.show_card(ACTIVE, Entry.TAPPED), Screen.PROBLEM)

    def failed_call() -> bool:
        return gallery.session.state.attendant_call is AttendantCall.FAILED

    def in_english_calling() -> None:
        gallery.session.set_language("en")
        gallery.session.call_attendant()

    gallery.scene("problem-service-down-call-failed-en", in_english_calling, ready=failed_call)


def run_attendant_scenes(gallery: Gallery, answers: NetworkPath) -> None:
    """Every step of attendant mode, in Turkish and English: the technician's self-test (the
    attendant's code is a technician's), a replacement found by number, one found by identity
    (typed in Turkish letters), a lost answer, a registration."""
    desk = gallery.app.desk
    session = gallery.session

    def settled() -> bool:
        return not desk.state.busy

    def type_into(form_field: FormField, text: str) -> None:
        desk.focus(form_field)
        for key in text:
            desk.type_key(key)

    for language, (old_card, new_card) in (("tr", (ACTIVE, NEW_CARDS[0])), ("en", (NOT_ACTIVATED, NEW_CARDS[1]))):
        session.set_language(language)
        suffix = f"-{language}"

        def open_and_type() -> None:
            desk.open()
            type_into(FormField.ATTENDANT_CODE, ATTENDANT_CODE)
            type_into(FormField.PIN, "99")

        gallery.scene("attendant-sign-in" + suffix, open_and_type)

        def wrong_pin() -> None:
            type_into(FormField.PIN, "99")
            desk.sign_in()

        gallery.scene("attendant-wrong-pin" + suffix, wrong_pin, ready=settled)

        def sign_in() -> None:
            type_into(FormField.PIN, ATTENDANT_PIN)
            desk.sign_in()

        gallery.scene("attendant-menu" + suffix, sign_in, ready=settled)

        def self_test_shown() -> bool:
            panel = gallery.app.self_test_panel
            return panel is not None and not panel.running and len(panel.ids.rows.children) == 8

        # Live checks: without pcscd here the reader is a Fault, the configuration a Check (no
        # --config path), so the scene shows both kinds of advice.
        gallery.scene("technician-self-test" + suffix, gallery.app.open_self_test, ready=self_test_shown)
        gallery.app.self_test_panel.dismiss()
        gallery.app.self_test_panel = None
        if language == "tr":
            def by_number() -> None:
                desk.start_replacement()
                type_into(FormField.CARD_NUMBER, old_card.digits[:11])

            gallery.scene("attendant-find-by-number" + suffix, by_number)

            def found_by_number() -> None:
                type_into(FormField.CARD_NUMBER, old_card.digits[11:])
                desk.find()

            gallery.scene("attendant-confirm-identity" + suffix, found_by_number, ready=settled)
        else:
            def by_identity() -> None:
                desk.start_replacement()
                desk.find_by_identity_instead()
                type_into(FormField.BIRTH_DATE, "02111988")
                type_into(FormField.PHONE, "05329876543")
                type_into(FormField.FULL_NAME, "ayşe şahin")

            gallery.scene("attendant-find-by-identity" + suffix, by_identity)
            gallery.scene("attendant-confirm-identity" + suffix, desk.find, ready=settled)
        def identity_checked(birth: str = "20031974" if language == "tr" else "02111988") -> None:
            type_into(FormField.BIRTH_DATE, birth)  # read off the holder's ID card
            desk.identity_confirmed()

        gallery.scene("attendant-tap-new-card" + suffix, identity_checked)
        gallery.scene("attendant-confirm-move" + suffix, lambda card=new_card: session.show_card(card, Entry.TAPPED))
        if language == "tr":
            def answer_lost() -> None:
                answers.lose_answers(10)
                desk.confirm_move()

            gallery.scene("attendant-move-uncertain" + suffix, answer_lost, ready=settled)
            answers.restore()
        gallery.scene("attendant-move-done" + suffix, desk.confirm_move, ready=settled)

        def register_tap() -> None:
            desk.back()
            desk.start_registration()

        gallery.scene("attendant-register-tap" + suffix, register_tap)

        def registration_form() -> None:
            session.show_card(REGISTER_CARDS[language], Entry.TAPPED)
            type_into(FormField.FULL_NAME, "şükrü ığdır")
            type_into(FormField.BIRTH_DATE, "2903198")

        gallery.scene("attendant-registration-form" + suffix, registration_form)

        def registered() -> None:
            type_into(FormField.BIRTH_DATE, "4")
            type_into(FormField.PHONE, "05551112233")
            desk.set_consent(True)
            desk.submit_registration()

        gallery.scene("attendant-registered" + suffix, registered, ready=settled)
        if language == "en":  # ŞÜKRÜ IĞDIR now has two cards, one registered in each language
            def two_cards_found() -> None:
                desk.back()
                desk.start_replacement()
                desk.find_by_identity_instead()
                type_into(FormField.FULL_NAME, "ŞÜKRÜ IĞDIR")
                type_into(FormField.BIRTH_DATE, "29031984")
                type_into(FormField.PHONE, "05551112233")
                desk.find()

            gallery.scene("attendant-choose-card" + suffix, two_cards_found, ready=settled)
        desk.sign_out()
    session.set_language("tr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    xvfb, os.environ["DISPLAY"] = start_xvfb(width, height)
    os.environ.update(KIVY_LOG_MODE="MIXED", KIVY_NO_FILELOG="1", KIVY_USE_DEFAULTCONFIG="1",
                      KIVY_HOME=tempfile.mkdtemp(prefix="kivy-home-"), SDL_VIDEODRIVER="x11")
    from screens.kivy_setup import configure_kivy

    configure_kivy(width, height, DIAGONAL_INCHES, fullscreen=False)
    from kivy.config import Config

    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")

    from kiosk.config import load_config
    from tests.rigs.central import running_central

    workdir = Path(tempfile.mkdtemp(prefix="gallery-"))
    try:
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as service:
            book_movements(service.base_url, service.add_device("till", "gallery till"))
            # Through a relay, so that the gallery can show what a lost answer looks like.
            path = NetworkPath(int(service.base_url.rsplit(":", 1)[1]))
            path.restore()
            config_file = workdir / "kiosk.toml"
            config_file.write_text(
                f'[service]\nurl = "{path.url}"\ntoken = "{service.token}"\nretries = 0\ntimeout_seconds = 3\n'
                "[screen]\nidle_timeout_seconds = 600\n"
                f'[attendant]\ntechnician_codes = ["{ATTENDANT_CODE}"]\n',
                encoding="utf-8",
            )
            from screens.app import CardInput, KioskApp

            app = KioskApp(load_config(config_file, environ={}), card_input=CardInput.KEYPAD_ONLY)
            gallery = Gallery(app, args.out, (width, height))
            started = time.monotonic()
            gallery.driver.start()
            try:
                def stop_service() -> None:
                    service.process.terminate()
                    service.process.wait(timeout=10)

                run_scenes(gallery)
                run_dead_end_scenes(gallery, service)
                run_attendant_scenes(gallery, path)
                run_blocked_replacement_scenes(gallery, service)
                run_service_down_scene(gallery, stop_service)
            finally:
                gallery.driver.stop()
    finally:
        xvfb.terminate()
    summary = {
        "size": args.size,
        "seconds": round(time.monotonic() - started, 1),
        "scenes": [asdict(report) for report in gallery.reports],
        "problems": sum(len(report.problems) for report in gallery.reports),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
