"""Finding 8 of #14: there was no way to disable an attendant, change a PIN or end their
sessions; a device token could not be replaced without downtime."""
from __future__ import annotations

import uuid

import httpx

from tests.central.conftest import ATTENDANT_PIN, Api, admin


def new_attendant(api: Api, pin: str = ATTENDANT_PIN) -> str:
    code = f"adm-{uuid.uuid4().hex[:8]}"
    admin(api.service, "add-attendant", "--code", code, "--name", "Test Görevli", stdin=pin + "\n")
    return code


def session_works(api: Api, session: str) -> int:
    """The status of a look-up inside ``session`` (200 while it lives)."""
    return api.as_attendant("/v1/attendant/card-lookups", {"card_number": "7000071234567895"}, session).status_code


def test_disable_attendant_ends_their_sessions_at_once_and_stops_sign_in(api: Api):
    code = new_attendant(api)
    first, second = api.attendant_session(code), api.attendant_session(code)
    assert session_works(api, first) == 200

    admin(api.service, "disable-attendant", "--code", code)

    assert session_works(api, first) == 401
    assert session_works(api, second) == 401
    refused = api.sign_in(code)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "bad_attendant_pin"


def test_set_pin_ends_sessions_and_only_the_new_pin_signs_in(api: Api):
    code = new_attendant(api)
    session = api.attendant_session(code)

    admin(api.service, "set-pin", "--code", code, stdin="7351\n")

    assert session_works(api, session) == 401
    assert api.sign_in(code, ATTENDANT_PIN).status_code == 401
    assert session_works(api, api.attendant_session(code, "7351")) == 200


def test_disabling_leaves_other_attendants_signed_in(api: Api):
    kept = api.attendant_session()
    admin(api.service, "disable-attendant", "--code", new_attendant(api))
    assert session_works(api, kept) == 200


def heartbeat(api: Api, token: str) -> int:
    return api.http.post("/v1/kiosks/heartbeat", json={"app_version": "t", "uptime_seconds": 1},
                         headers={"Authorization": f"Bearer {token}"}).status_code


def test_rotate_device_keeps_the_old_token_for_the_grace_period_only(api: Api):
    name = f"kiosk-{uuid.uuid4().hex[:8]}"
    first = admin(api.service, "add-device", "--kind", "kiosk", "--name", name)

    second = admin(api.service, "rotate-device", "--name", name, "--grace-minutes", "60")
    assert second and second != first
    assert heartbeat(api, first) == 200  # within its grace period
    assert heartbeat(api, second) == 200

    third = admin(api.service, "rotate-device", "--name", name, "--grace-minutes", "0")
    assert heartbeat(api, second) == 401  # grace of 0: stopped at once
    assert heartbeat(api, first) == 401  # two rotations back: gone
    assert heartbeat(api, third) == 200
    look_up = api.http.get("/v1/cards/7000071234567895", params={"entry": "tapped"},
                           headers={"Authorization": f"Bearer {second}"})
    assert look_up.status_code == 401  # the look-up's own token check too


def test_a_revoked_device_stays_revoked_through_its_previous_token(api: Api):
    name = f"kiosk-{uuid.uuid4().hex[:8]}"
    first = admin(api.service, "add-device", "--kind", "kiosk", "--name", name)
    admin(api.service, "rotate-device", "--name", name, "--grace-minutes", "60")
    admin(api.service, "revoke-device", "--name", name)
    assert heartbeat(api, first) == 401


def test_unknown_tokens_stay_unknown(api: Api):
    assert heartbeat(api, "opk_" + "x" * 43) == 401
    assert httpx.get(f"{api.service.base_url}/v1/cards/7000071234567895",
                     headers={"Authorization": "Bearer nothing"}, timeout=5).status_code == 401
