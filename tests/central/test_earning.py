"""Earn rules: 0.5 % from 2015-06-10 (station date), rounded down to whole hundredths, rates as rows."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.domain.earning import PPM, earned_points, station_date
from tests.central.conftest import Api, admin, new_card_number

HALF_PERCENT = 5000


@pytest.mark.parametrize(
    ("amount", "points"),
    [(1, 0), (199, 0), (200, 1), (399, 1), (400, 2), (12345, 61), (100_000, 500), (99_999_999, 499_999)],
)
def test_half_percent_is_rounded_down_to_whole_hundredths(amount, points):
    assert earned_points(amount, HALF_PERCENT) == points


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=PPM))
def test_rounding_never_awards_more_and_loses_less_than_one_hundredth(amount, rate_ppm):
    points = earned_points(amount, rate_ppm)
    assert isinstance(points, int)
    assert 0 <= amount * rate_ppm - points * PPM < PPM


def test_station_date_is_turkish_local_date():
    assert station_date(dt.datetime(2015, 6, 9, 21, 0, tzinfo=dt.timezone.utc)) == dt.date(2015, 6, 10)
    assert station_date(dt.datetime(2015, 6, 9, 20, 59, tzinfo=dt.timezone.utc)) == dt.date(2015, 6, 9)


@pytest.mark.parametrize(
    ("sold_at", "points", "rate"),
    [
        ("2015-06-09T23:59:59+03:00", 0, None),
        ("2015-06-09T21:00:00+00:00", 500, HALF_PERCENT),  # midnight in Istanbul
        ("2015-06-10T00:00:00+03:00", 500, HALF_PERCENT),
        ("2020-02-29T12:00:00+03:00", 500, HALF_PERCENT),
    ],
)
def test_earning_starts_on_2015_06_10(api: Api, sold_at, points, rate):
    response = api.sale(new_card_number(), 100_000, "benzin", sold_at=sold_at)
    assert response.status_code == 201
    assert response.json()["points_earned"] == points
    assert response.json()["rate_ppm"] == rate


def test_a_new_rate_is_a_row(api: Api):
    admin(api.service, "add-earn-rule", "--fuel-type", "otogaz", "--rate-percent", "0.75",
          "--effective-from", "2016-01-01")
    admin(api.service, "add-earn-rule", "--fuel-type", "otogaz", "--rate-percent", "0.5",
          "--effective-from", "2016-02-01")
    number = new_card_number()
    during = api.sale(number, 100_000, "otogaz", sold_at="2016-01-31T23:00:00+03:00").json()
    # Türkiye kept winter time (UTC+2) until 2016: this is midnight at the station.
    after = api.sale(number, 100_000, "otogaz", sold_at="2016-02-01T00:00:00+02:00").json()
    dizel = api.sale(number, 100_000, "dizel", sold_at="2016-01-15T12:00:00+03:00").json()
    assert (during["points_earned"], during["rate_ppm"]) == (750, 7500)
    assert (after["points_earned"], after["rate_ppm"]) == (500, HALF_PERCENT)
    assert dizel["points_earned"] == 500
    assert api.pots(number) == {"fuel": 500, "autogas": 1250}
