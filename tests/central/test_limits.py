"""central.storage.limits on real SQLite and PostgreSQL, at explicit moments: budgets and lockouts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from central.storage.db import Database, migrate
from central.storage.limits import Budget, Scope, clear, give_back, strike, take

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


def test_a_charge_may_take_several_events_but_never_more_than_the_bucket_holds(database: Database):
    budget = Budget(5, dt.timedelta(minutes=1))
    parameters = budget.parameters(Scope.TAPPED_LOOKUP, "kiosk-9", at(0), want=4)
    from central.storage.limits import bucket_upsert

    statement = bucket_upsert(database.write_engine.dialect.name)
    with database.transaction() as session:
        assert session.execute(statement, parameters).one()[0] == 4
        assert session.execute(statement, budget.parameters(Scope.TAPPED_LOOKUP, "kiosk-9", at(0), want=4)).one()[0] == 1
        assert session.execute(statement, budget.parameters(Scope.TAPPED_LOOKUP, "kiosk-9", at(0), want=4)).one()[0] == 0
        assert session.execute(statement, budget.parameters(Scope.TAPPED_LOOKUP, "kiosk-9", at(24), want=4)).one()[0] == 2


def test_leases_grow_for_a_busy_device_shrink_when_unused_and_expire():
    from central.storage.limits import LEASE_GROW_WITHIN, LEASE_MAX, LEASE_TTL, Leases

    ttl, grow = LEASE_TTL.total_seconds(), LEASE_GROW_WITHIN.total_seconds()

    leases, key = Leases(), (Scope.TAPPED_LOOKUP, "token-hash")
    assert not leases.spend(key, at(0)) and leases.want(key, at(0)) == 1  # nothing leased: charge one
    leases.took(key, 1, 1, at(0))
    assert not leases.spend(key, at(0.5)) and leases.want(key, at(0.5)) == 2  # used up at once: double
    leases.took(key, 2, 2, at(0.5))
    assert leases.spend(key, at(0.6)) and not leases.spend(key, at(0.7))
    leases.took(key, 4, 4, at(1))
    assert leases.spend(key, at(1 + ttl - 1))
    assert not leases.spend(key, at(1 + ttl))  # a lease ends, unused events with it
    assert leases.want(key, at(1 + ttl)) == 2  # and the next batch is halved
    leases.took(key, 2, 2, at(100))
    assert leases.spend(key, at(100 + grow + 1)) and leases.want(key, at(100 + grow + 1)) == 2  # not busy
    for second in range(200, 220):
        wanted = leases.want(key, at(second))
        leases.took(key, wanted, wanted, at(second))
        assert leases.want(key, at(second)) <= LEASE_MAX
    leases.took(key, 4, 0, at(220 + ttl))  # nothing granted: the lease is not renewed
    assert not leases.spend(key, at(220 + ttl))
