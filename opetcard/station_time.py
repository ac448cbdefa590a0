"""The programme's time zone: every station, and so every date and time a holder sees or gives,
is in Europe/Istanbul, whatever zone the computer reading it is set to.

The zone comes from the IANA database (the system's, else the ``tzdata`` package): Turkey has
kept UTC+3 all year since 2016, but a zone name keeps older dates right too.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STATION_ZONE = ZoneInfo("Europe/Istanbul")


def station_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` (timezone-aware) as the clock on a station's wall shows it."""
    return moment.astimezone(STATION_ZONE)


def station_today(now: dt.datetime | None = None) -> dt.date:
    """The date at the stations now (or at ``now``, timezone-aware)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(STATION_ZONE).date()
