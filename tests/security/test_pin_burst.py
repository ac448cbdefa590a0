"""Finding 3: concurrent PIN guesses used to beat the lockout (the lock was read, scrypt ran,
and the failure was counted after). Now each attempt is counted before its PIN is hashed."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

import httpx

from tests.security.guarded import PIN_LOCKOUT_S, PIN_MAX_FAILURES, SIGNIN_FAILURES_PER_DEVICE, Guarded

RIGHT_PIN, WRONG_PIN = "7391", "0000"
LOCKING_MESSAGE = "too many wrong PINs; the attendant is locked for a while"


def burst(guarded: Guarded, first: list[tuple[str, str]], second: list[tuple[str, str]],
          code: str) -> tuple[list[httpx.Response], list[httpx.Response]]:
    """Sends ``first`` (device token, PIN) all at once and, as soon as one answer says the code is
    locked or the device throttled, ``second`` while the first wave may still be in flight."""
    refused = threading.Event()
    limits = httpx.Limits(max_connections=len(first) + len(second))
    with httpx.Client(timeout=60, limits=limits) as http, ThreadPoolExecutor(len(first) + len(second)) as pool:
        def attempt(token: str, pin: str) -> httpx.Response:
            response = guarded.sign_in(http, token, code, pin)
            if response.status_code in (403, 429):
                refused.set()
            return response

        waves: tuple[list[Future[httpx.Response]], ...] = ([pool.submit(attempt, *a) for a in first], [])
        assert refused.wait(60), "no attempt was ever refused"
        waves[1].extend(pool.submit(attempt, *a) for a in second)
        return [f.result(timeout=60) for f in waves[0]], [f.result(timeout=60) for f in waves[1]]


def checked(responses: list[httpx.Response]) -> int:
    """Attempts whose PIN was hashed and compared: wrong ones (401) and the one that locked the code."""
    return sum(r.status_code == 401 or (r.status_code == 403 and r.json()["error"]["message"] == LOCKING_MESSAGE)
               for r in responses)


def test_fifty_concurrent_wrong_pins_from_many_kiosks_check_five_and_the_right_one_is_refused(guarded: Guarded):
    code = guarded.attendant(RIGHT_PIN)
    kiosks = [guarded.device() for _ in range(25)]  # two guesses each: under every device's own budget
    wrong = [(kiosk, WRONG_PIN) for kiosk in kiosks for _ in range(2)]
    first, second = burst(guarded, wrong[:25], [*wrong[25:], (guarded.device(), RIGHT_PIN)], code)
    answers = first + second
    assert checked(answers) <= PIN_MAX_FAILURES
    assert Counter(r.status_code for r in answers) == Counter({401: PIN_MAX_FAILURES - 1, 403: 52 - PIN_MAX_FAILURES})
    right = second[-1]
    assert right.status_code == 403 and right.json()["error"]["code"] == "attendant_locked"
    with httpx.Client(timeout=30) as http:  # the lock holds, then ends on its own
        assert guarded.sign_in(http, guarded.device(), code, RIGHT_PIN).status_code == 403
        guarded.advance_clock(PIN_LOCKOUT_S)
        assert guarded.sign_in(http, guarded.device(), code, RIGHT_PIN).status_code == 201


def test_one_kiosk_bursting_is_throttled_before_it_can_lock_the_attendant_out(guarded: Guarded):
    code, kiosk = guarded.attendant(RIGHT_PIN), guarded.device()
    wrong = [(kiosk, WRONG_PIN)] * 50
    first, second = burst(guarded, wrong[:25], [*wrong[25:], (kiosk, RIGHT_PIN)], code)
    answers = first + second
    assert Counter(r.status_code for r in answers) == Counter({401: SIGNIN_FAILURES_PER_DEVICE,
                                                               429: 51 - SIGNIN_FAILURES_PER_DEVICE})
    assert second[-1].status_code == 429  # the right PIN in the burst was never checked either
    with httpx.Client(timeout=30) as http:  # ...and the attendant is not locked: another kiosk signs in
        assert guarded.sign_in(http, guarded.device(), code, RIGHT_PIN).status_code == 201
