"""Load test of the central service: N kiosks looking up balances and M tills booking sales.

Starts the real service (``opet-central serve``) on a fresh SQLite file, or on a throwaway
PostgreSQL with ``--postgres``, or targets a running one with ``--url`` and tokens. Prints
requests per second and p50/p99 latency for look-ups and sales. Run from the repository root:

    .venv/bin/python -m bench.central_load [--postgres] [--kiosks 8] [--tills 4] [--seconds 10]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.central.conftest import new_card_number, station_now
from tests.rigs.central import running_central
from tests.rigs.postgres import running_postgres


@dataclass
class Target:
    """Where to send load, with a kiosk and a till token."""

    base_url: str
    kiosk_token: str
    till_token: str


@dataclass
class Tally:
    """Latencies and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.latencies.append(seconds)
            else:
                self.failures += 1


@contextlib.contextmanager
def started_service(postgres: bool) -> Iterator[Target]:
    """A fresh service (SQLite or throwaway PostgreSQL) with a kiosk and a till token."""
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opet-bench-")))
        if postgres:
            url = stack.enter_context(running_postgres()).new_database("bench")
        else:
            url = f"sqlite:///{workdir / 'bench.db'}"
        service = stack.enter_context(running_central(url, workdir, demo_data=False))
        yield Target(service.base_url, service.token, service.add_device("till", "bench-till"))


def _sale_body(number: str) -> dict[str, object]:
    return {"card_number": number, "fuel_type": "benzin", "amount": 150_000, "station": "BENCH",
            "sold_at": station_now()}


def _kiosk(target: Target, cards: list[str], stop: threading.Event, tally: Tally, seed: int) -> None:
    headers = {"Authorization": f"Bearer {target.kiosk_token}"}
    with httpx.Client(base_url=target.base_url, headers=headers, timeout=30) as client:
        index = seed
        while not stop.is_set():
            index += 7
            started = time.perf_counter()
            response = client.get(f"/v1/cards/{cards[index % len(cards)]}", params={"entry": "tapped"})
            tally.add(time.perf_counter() - started, response.status_code == 200)


def _till(target: Target, cards: list[str], stop: threading.Event, tally: Tally, seed: int) -> None:
    headers = {"Authorization": f"Bearer {target.till_token}"}
    with httpx.Client(base_url=target.base_url, headers=headers, timeout=30) as client:
        index = seed
        while not stop.is_set():
            index += 13
            started = time.perf_counter()
            response = client.post("/v1/sales", json=_sale_body(cards[index % len(cards)]),
                                   headers={"Idempotency-Key": uuid.uuid4().hex})
            tally.add(time.perf_counter() - started, response.status_code == 201)


def run(target: Target, kiosks: int, tills: int, seconds: float, card_count: int = 200) -> dict[str, Tally]:
    """Seeds ``card_count`` cards, then plays the load for ``seconds``; the tallies by kind."""
    cards = [new_card_number() for _ in range(card_count)]
    with httpx.Client(base_url=target.base_url, timeout=30,
                      headers={"Authorization": f"Bearer {target.till_token}"}) as client:
        for number in cards:
            client.post("/v1/sales", json=_sale_body(number), headers={"Idempotency-Key": uuid.uuid4().hex})
    tallies = {"look-up": Tally(), "sale": Tally()}
    stop = threading.Event()
    threads = [threading.Thread(target=_kiosk, args=(target, cards, stop, tallies["look-up"], n)) for n in range(kiosks)]
    threads += [threading.Thread(target=_till, args=(target, cards, stop, tallies["sale"], n)) for n in range(tills)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return tallies


def report(label: str, tallies: dict[str, Tally], seconds: float) -> None:
    """Prints one line per kind of request."""
    for kind, tally in tallies.items():
        latencies = sorted(tally.latencies)
        if not latencies:
            print(f"{label:10} {kind:8} no successful requests ({tally.failures} failed)")
            continue
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"{label:10} {kind:8} {len(latencies) / seconds:8.1f} req/s   p50 {cuts[49] * 1000:6.1f} ms   "
              f"p99 {cuts[98] * 1000:6.1f} ms   failed {tally.failures}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run the service on a throwaway PostgreSQL")
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--tills", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--url", help="a running service instead (needs --kiosk-token and --till-token)")
    parser.add_argument("--kiosk-token")
    parser.add_argument("--till-token")
    args = parser.parse_args(argv)
    if args.url:
        if not (args.kiosk_token and args.till_token):
            parser.error("--url needs --kiosk-token and --till-token")
        target_context = contextlib.nullcontext(Target(args.url.rstrip("/"), args.kiosk_token, args.till_token))
        label = "remote"
    else:
        target_context = started_service(args.postgres)
        label = "postgresql" if args.postgres else "sqlite"
    with target_context as target:
        tallies = run(target, args.kiosks, args.tills, args.seconds)
    print(f"{args.kiosks} kiosks + {args.tills} tills for {args.seconds:g} s, one service process")
    report(label, tallies, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
