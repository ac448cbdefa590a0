"""central.limits on real SQLite and PostgreSQL, at explicit moments: budgets and lockouts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from central.db import Database, migrate
from central.limits import Budget, Scope, clear, give_back, strike, take

T0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone.utc)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path / 'l.db'}"
    migrate(url)
    db = Database.connect(url)
    yield db
    db.dispose()


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_a_budget_allows_a_burst_then_one_event_per_interval(database: Database):
    budget = Budget(3, dt.timedelta(minutes=1))  # one event back every 20 s

    def charge(seconds: float, subject: str = "kiosk-1") -> int | None:
        with database.transaction() as session:
            return take(session, Scope.TYPED_LOOKUP, subject, budget, at(seconds))

    assert [charge(0) for _ in range(3)] == [None, None, None]
    assert charge(0) == 20 and charge(5) == 15  # refused attempts cost nothing
    assert charge(0, "kiosk-2") is None  # budgets are per subject
    assert charge(20) is None and charge(20) == 20
    assert [charge(120) for _ in range(4)] == [None, None, None, 20]  # full again, never more than full


def test_an_event_given_back_can_be_spent_again(database: Database):
    budget = Budget(1, dt.timedelta(hours=1))
    with database.transaction() as session:
        assert take(session, Scope.ACTIVATION, "0012806566", budget, at(0)) is None
        assert take(session, Scope.ACTIVATION, "0012806566", budget, at(1)) == 3599
        give_back(session, Scope.ACTIVATION, "0012806566", budget)
        assert take(session, Scope.ACTIVATION, "0012806566", budget, at(2)) is None


def test_the_strike_that_reaches_the_maximum_locks_before_it_is_checked(database: Database):
    def attempt(seconds: float):
        with database.transaction() as session:
            return strike(session, Scope.ATTENDANT_CODE, "1001", 3, dt.timedelta(minutes=15), at(seconds))

    first, second, third, fourth = attempt(0), attempt(1), attempt(2), attempt(3)
    assert (first.checked, first.attempts_left, first.locked_for) == (True, 2, None)
    assert (second.checked, second.attempts_left) == (True, 1)
    assert (third.checked, third.attempts_left, third.locked_for) == (True, 0, 900)  # checked, and locked already
    assert (fourth.checked, fourth.locked_for) == (False, 899)
    # the lock ends; three more wrong ones lock it twice as long, then four times
    assert [attempt(902).checked, attempt(903).checked, attempt(904).locked_for] == [True, True, 1800]
    assert [attempt(2704).checked, attempt(2705).checked, attempt(2706).locked_for] == [True, True, 3600]
    with database.transaction() as session:
        assert clear(session, Scope.ATTENDANT_CODE, "1001")
    assert attempt(2707).attempts_left == 2  # a right PIN (or unlock-attendant) forgets it all
