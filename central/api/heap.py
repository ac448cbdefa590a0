"""The garbage collector of a serving process: what exists once the app has started is frozen.

CPython's full (generation 2) collection visits every object the collector tracks. A worker
holds about 140,000 of them once FastAPI, pydantic, SQLAlchemy, psycopg, Jinja and the app are
imported and built, nearly all alive for the life of the process. Under load (750 look-ups a
second a worker) a full collection ran every few seconds and held the GIL for 90-160 ms
(measured with ``gc.callbacks``): every request of that worker, and the SQLite reads' thread,
waited for it, and those waits were the look-ups' and the sales' p99 (issue 15). Frozen
(``gc.freeze``), those objects are never visited again; a full collection then visits only what
was made since (the connections' and requests' objects, ~30,000), and still collects every
cycle made after the freeze.
"""
from __future__ import annotations

import gc


def freeze_start_up() -> None:
    """Collects what start-up left behind, then moves every surviving object out of the collector's sight."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Gives the frozen objects back to the collector (at shutdown, e.g. of an app made in a test)."""
    gc.unfreeze()
