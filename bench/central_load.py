"""Load test of the central service: 1,000 devices, look-ups from kiosks and sales from tills.

Starts the real service (``opet-central serve``, ``--workers`` passed on) on a fresh SQLite
file, or on a throwaway PostgreSQL with ``--postgres``. Every device has its own token (stored
hashed, as ``add-device`` does; a thousand CLI runs would take minutes) and its own mix of
cards: regulars of its station plus travellers from the whole pool.

The load is **open-loop**: each device sends at random (Poisson) moments whether or not the
service is keeping up, as independent kiosks do, so a slow service shows as latency instead of
quietly lowering the offered load. A device has one keep-alive connection and one request in
flight; a request due while the previous one is still out waits for it, and its latency counts
from when it was *due* (no coordinated omission). The client is a small asyncio HTTP/1.1
protocol (uvloop when installed), so it costs a few % of a core; its CPU is printed beside the
service's. Run from the repository root:

    .venv/bin/python -m bench.central_load [--postgres] [--workers 2] [--lookup-rates 1500] [--seconds 20]

With ``--pgbench`` (PostgreSQL only), after the service's steps the same run initialises a
scratch database in the same PostgreSQL (same server settings) and runs ``pgbench``'s built-in
TPC-B-like script for as long as a step, with as many clients as ``--pgbench-clients``, while
the service stays idle; it prints pgbench's transactions per second and the ratio of the
service's sales per second to it, so a figure is read against the engine on that machine at
that moment, not against last week's machine.

With ``--floor`` (PostgreSQL only) the load goes to ``bench.floor_app`` instead of the service:
the same database calls with no framework, served the same way. It is the other yardstick: what
this machine can carry at all with the database and this load generator on it, whatever the
service's code; the service's figures are read between it and pgbench.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.floor_app import DATABASE_ENVIRONMENT
from central.domain.cards import Actor, record_event
from central.domain.tokens import hash_token, new_token
from central.storage.db import Database
from central.storage.models import Card, CardStatus, Device, DeviceKind, Pot
from tests.central.conftest import new_card_number
from tests.rigs.central import CentralService, free_port, run_cli, running_central, stop_process, wait_healthy
from tests.rigs.postgres import PostgresServer, running_postgres

LOCAL_CARDS = 40
"""Regulars per device; one request in ten names a card from the whole pool instead."""


@dataclass(frozen=True)
class Fleet:
    """The seeded devices (kind, token) and cards."""

    kiosks: list[str]
    tills: list[str]
    cards: list[str]


def seed(database_url: str, kiosks: int, tills: int, card_count: int) -> Fleet:
    """Registers the devices and creates the cards (with opening balances in their audit trail)."""
    database = Database.connect(database_url)
    tokens = {DeviceKind.KIOSK: [new_token() for _ in range(kiosks)], DeviceKind.TILL: [new_token() for _ in range(tills)]}
    cards = list({new_card_number() for _ in range(card_count)})
    try:
        with database.transaction() as session:
            for kind, kind_tokens in tokens.items():
                session.add_all(Device(kind=kind.value, name=f"bench-{kind.value}-{n}", token_hash=hash_token(token))
                                for n, token in enumerate(kind_tokens))
            rows = [Card(number=number, last10=number[-10:], status=CardStatus.NOT_ACTIVATED.value,
                         fuel_points=random.randrange(1, 100_000), autogas_points=0) for number in cards]
            session.add_all(rows)
            session.flush()
            for card in rows:
                record_event(session, card, "opening_balance", Actor(), pot=Pot.FUEL, delta=card.fuel_points)
        if database.sqlite:  # as a database that has been running a while: the seed's WAL in the file
            connection = database.write_engine.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
    finally:
        database.dispose()
    return Fleet(tokens[DeviceKind.KIOSK], tokens[DeviceKind.TILL], cards)


@contextlib.contextmanager
def started_service(postgres: bool, workers: int, floor: bool = False,
                    ) -> Iterator[tuple[CentralService, int | None, PostgresServer | None]]:
    """A fresh service (``floor``: bench.floor_app instead) on SQLite or a throwaway PostgreSQL,
    the postmaster's pid and the server."""
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opet-bench-")))
        postmaster, server = None, None
        if postgres:
            server = stack.enter_context(running_postgres())
            url = server.new_database("bench")
            postmaster = int((server.socket_dir / "data" / "postmaster.pid").read_text().split()[0])
        else:
            url = f"sqlite:///{workdir / 'bench.db'}"
        if floor:
            service = stack.enter_context(running_floor(url, workdir, workers))
        else:
            service = stack.enter_context(running_central(url, workdir, demo_data=False, log_every_request=False,
                                                          system_clock=True, serve_args=("--workers", str(workers))))
        yield service, postmaster, server


@contextlib.contextmanager
def running_floor(database_url: str, workdir: Path, workers: int) -> Iterator[CentralService]:
    """bench.floor_app served as the service is (``--workers``) on a migrated ``database_url``:
    the floor the service is read against (see that module)."""
    run_cli("migrate", database_url=database_url)
    port = free_port()
    log_path = workdir / "floor.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.floor_app", "--port", str(port), "--workers", str(workers)],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, DATABASE_ENVIRONMENT: database_url})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process, log_path)
        yield CentralService(base_url, "", database_url, log_path, workdir / "no-clock", process)
    finally:
        stop_process(process)


def pgbench(server: PostgresServer, clients: int, seconds: float) -> tuple[float, float]:
    """TPC-B-like ``pgbench`` on a scratch database of ``server`` (scale = clients, so the branch
    rows do not serialise them): (transactions per second, mean latency in ms)."""
    program = shutil.which("pgbench") or "/usr/bin/pgbench"
    database = make_url(server.new_database("pgbench")).database
    connection = ["-h", str(server.socket_dir), "-p", str(server.port), "-U", server.user]
    subprocess.run([program, *connection, "-i", "-q", "-s", str(clients), database],
                   check=True, capture_output=True)
    result = subprocess.run([program, *connection, "-n", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
                             "-T", str(max(1, round(seconds))), database], check=True, capture_output=True, text=True)
    tps = latency = 0.0
    for line in result.stdout.splitlines():
        if line.startswith("tps = "):
            tps = float(line.split()[2])
        elif line.startswith("latency average = "):
            latency = float(line.split()[3])
    return tps, latency


class HttpConnection(asyncio.Protocol):
    """One HTTP/1.1 connection with at most one request in flight."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None
        self._transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError("the service closed the connection"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self._waiter is None:
            return
        head = bytes(self._buffer[:end]).lower()
        start = head.find(b"content-length:")
        length = 0
        if start >= 0:
            stop = head.find(b"\r\n", start)
            length = int(head[start + 15:stop if stop >= 0 else len(head)])
        if len(self._buffer) < end + 4 + length:
            return
        status = int(self._buffer[9:12])
        del self._buffer[:end + 4 + length]
        waiter, self._waiter = self._waiter, None
        waiter.set_result(status)

    async def request(self, raw: bytes) -> int:
        """Sends ``raw`` and returns the response's status code."""
        assert self._transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._waiter


class Client:
    """A device's keep-alive connection, opened again when the service has closed it (idle timeout)."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._connection: HttpConnection | None = None

    async def connect(self) -> None:
        """Opens the connection."""
        _, self._connection = await asyncio.get_running_loop().create_connection(HttpConnection, *self._address)

    async def request(self, raw: bytes) -> int:
        """Sends ``raw`` and returns the status code; (re)connects first if needed, and once more
        if the service closed an idle connection just as the request went out."""
        for attempt in (1, 2):
            if self._connection is None or self._connection.closed:
                await self.connect()
            assert self._connection is not None
            try:
                return await self._connection.request(raw)
            except ConnectionError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@dataclass
class Tally:
    """Latencies (from when each request was due), answers and completions of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    completed_in_window: int = 0

    def percentile(self, fraction: float) -> float:
        """The ``fraction`` quantile in ms (inclusive method)."""
        cuts = statistics.quantiles(self.latencies, n=1000, method="inclusive")
        return cuts[round(fraction * 1000) - 1] * 1000


@dataclass(frozen=True)
class Step:
    """One load level: offered rates, how long, and when measuring starts."""

    lookup_rate: float
    sale_rate: float
    warmup_s: float
    seconds: float


def _lookup(token: str, number: str) -> bytes:
    return (f"GET /v1/cards/{number}?entry=tapped HTTP/1.1\r\nHost: central\r\n"
            f"Authorization: Bearer {token}\r\n\r\n").encode()


def _sale(token: str, number: str, station: str) -> bytes:
    body = json.dumps({"card_number": number, "fuel_type": "benzin", "amount": random.randrange(2_000, 300_000),
                       "station": station, "sold_at": dt.datetime.now(dt.timezone.utc).isoformat()}).encode()
    return (f"POST /v1/sales HTTP/1.1\r\nHost: central\r\nAuthorization: Bearer {token}\r\n"
            f"Idempotency-Key: {uuid.uuid4().hex}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _device(connection: Client, make_request: Callable[[str], bytes], rate: float, cards: list[str], pool: list[str],
                  step: Step, start: float, tally: Tally, ok: int) -> None:
    """Plays one device: requests at Poisson moments for the step, tallied after the warm-up."""
    loop = asyncio.get_running_loop()
    measure_from, end = start + step.warmup_s, start + step.warmup_s + step.seconds
    due = start + random.expovariate(rate)
    while due < end:
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        number = random.choice(pool) if random.random() < 0.1 else random.choice(cards)
        try:
            status = await connection.request(make_request(number))
        except ConnectionError:
            status = 0
        done = loop.time()
        if due >= measure_from:
            if status == ok:
                tally.latencies.append(done - due)
            else:
                tally.failures += 1
        if status == ok and measure_from <= done < end:
            tally.completed_in_window += 1
        due += random.expovariate(rate)


async def play(base_url: str, fleet: Fleet, steps: list[Step],
               on_step: Callable[[Step, str, dict[str, Tally]], None]) -> None:
    """Opens one connection per device, then plays each step and hands its tallies to ``on_step``."""
    host, port = base_url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(50)

    async def connect() -> Client:
        client = Client(host, int(port))
        async with gate:
            await client.connect()
        return client

    kiosks = await asyncio.gather(*(connect() for _ in fleet.kiosks))
    tills = await asyncio.gather(*(connect() for _ in fleet.tills))
    rng = random.Random(8)
    mixes = [rng.sample(fleet.cards, LOCAL_CARDS) for _ in range(len(fleet.kiosks) + len(fleet.tills))]
    for step in steps:
        tallies = {"look-up": Tally(), "sale": Tally()}
        start = loop.time() + 0.05
        jobs = []
        if step.lookup_rate > 0:
            jobs += [_device(connection, lambda number, token=token: _lookup(token, number),
                             step.lookup_rate / len(kiosks), mixes[n], fleet.cards, step, start, tallies["look-up"], 200)
                     for n, (connection, token) in enumerate(zip(kiosks, fleet.kiosks))]
        if step.sale_rate > 0:
            jobs += [_device(connection, lambda number, token=token, n=n: _sale(token, number, f"ST-{n:04d}"),
                             step.sale_rate / len(tills), mixes[len(kiosks) + n], fleet.cards, step, start,
                             tallies["sale"], 201)
                     for n, (connection, token) in enumerate(zip(tills, fleet.tills))]
        running = [asyncio.ensure_future(job) for job in jobs]
        await asyncio.sleep(step.warmup_s + 0.05)
        on_step(step, "measure", tallies)
        await asyncio.gather(*running)
        on_step(step, "end", tallies)


def process_tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        tree.update(children)
        frontier += children
    return sum(times.get(member, 0.0) for member in tree)


def children_cpu_s(pid: int) -> dict[int, float]:
    """User + system CPU seconds of each child process of ``pid`` (the service's workers) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Reporter:
    """Samples CPU at the measured window's edges and prints one block per step."""

    def __init__(self, label: str, server_pid: int, database_pid: int | None) -> None:
        self.sales_per_s: list[float] = []
        self.label = label
        self.server_pid = server_pid
        self.database_pid = database_pid
        self._marks: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
        self._workers: dict[int, float] = {}
        self._load_before = ""

    def _database_cpu_s(self) -> float:
        return process_tree_cpu_s(self.database_pid) if self.database_pid else 0.0

    def __call__(self, step: Step, phase: str, tallies: dict[str, Tally]) -> None:
        if phase == "measure":
            self._marks = (time.monotonic(), process_tree_cpu_s(self.server_pid), time.process_time(),
                           self._database_cpu_s())
            self._workers = children_cpu_s(self.server_pid)
            self._load_before = loadavg()
        elif phase == "end":
            wall = time.monotonic() - self._marks[0]
            server = (process_tree_cpu_s(self.server_pid) - self._marks[1]) / wall * 100
            client = (time.process_time() - self._marks[2]) / wall * 100
            workers = " + ".join(f"{(used - self._workers.get(pid, 0.0)) / wall * 100:.0f}"
                                 for pid, used in sorted(children_cpu_s(self.server_pid).items()))
            database = (f", PostgreSQL {(self._database_cpu_s() - self._marks[3]) / wall * 100:.0f}"
                        if self.database_pid else "")
            print(f"{self.label}: offered {step.lookup_rate:g} look-ups/s + {step.sale_rate:g} sales/s for "
                  f"{step.seconds:g} s; CPU in % of a core: service {server:.0f} (workers {workers}){database}, load generator "
                  f"{client:.0f}; load average {self._load_before} -> {loadavg()}")
            self.sales_per_s.append(tallies["sale"].completed_in_window / step.seconds)
            for kind, tally in tallies.items():
                if not tally.latencies:
                    print(f"  {kind:8} no successful requests ({tally.failures} failed)")
                    continue
                print(f"  {kind:8} {tally.completed_in_window / step.seconds:7.1f}/s   p50 {tally.percentile(0.5):7.1f} ms"
                      f"   p99 {tally.percentile(0.99):7.1f} ms   max {max(tally.latencies) * 1000:7.1f} ms"
                      f"   failed {tally.failures}")
            sys.stdout.flush()


def _rates(text: str) -> list[float]:
    return [float(rate) for rate in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run the service on a throwaway PostgreSQL")
    parser.add_argument("--workers", type=int, default=1, help="service processes (serve --workers)")
    parser.add_argument("--kiosks", type=int, default=800)
    parser.add_argument("--tills", type=int, default=200)
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--lookup-rates", type=_rates, default=[1500.0],
                        help="offered look-ups per second, one step each (comma-separated)")
    parser.add_argument("--sale-rate", type=float, default=10.0,
                        help="offered sales per second, every step (200 tills at 3 a minute)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per step")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each step")
    parser.add_argument("--floor", action="store_true",
                        help="PostgreSQL: serve bench.floor_app (the same SQL, no framework) instead of the service")
    parser.add_argument("--pgbench", action="store_true",
                        help="PostgreSQL: then run pgbench's TPC-B-like script on the same server and print the ratio")
    parser.add_argument("--pgbench-clients", type=int, default=8, help="pgbench's clients (default: %(default)s)")
    args = parser.parse_args(argv)
    if (args.pgbench or args.floor) and not args.postgres:
        parser.error("--pgbench and --floor need --postgres")
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    label = ("floor on " if args.floor else "") + ("postgresql" if args.postgres else "sqlite")
    steps = [Step(rate, args.sale_rate, args.warmup, args.seconds) for rate in args.lookup_rates]
    with started_service(args.postgres, args.workers, args.floor) as (service, postmaster, server):
        fleet = seed(service.database_url, args.kiosks, args.tills, args.cards)
        print(f"{label}: {args.kiosks} kiosks + {args.tills} tills, {len(fleet.cards)} cards, "
              f"{args.workers} service process(es), {os.cpu_count()} cores")
        reporter = Reporter(label, service.process.pid, postmaster)
        # This process imports the service's stack to seed it: a full collection of those objects
        # would stall the generator mid-step (~90 ms) and count as service latency.
        gc.collect()
        gc.freeze()
        asyncio.run(play(service.base_url, fleet, steps, reporter))
        if args.pgbench and server is not None:
            load = loadavg()
            tps, latency = pgbench(server, args.pgbench_clients, args.seconds)
            print(f"pgbench TPC-B-like, {args.pgbench_clients} clients, same server, {args.seconds:g} s: "
                  f"{tps:.0f} tx/s, mean latency {latency:.1f} ms; load average {load} -> {loadavg()}")
            for step, sales in zip(steps, reporter.sales_per_s):
                print(f"  sales/s of the step with {step.lookup_rate:g} look-ups/s: {sales:.0f} = "
                      f"{sales / tps:.2f} of pgbench's tx/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
