"""What a serving process does around the requests: the reads' own thread
(central.storage.batch_thread), the frozen start-up heap (central.api.heap), FastAPI's own
telemetry switched off (central.api.app).

Real threads and a real event loop; nothing here waits on a clock.
"""
from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading

import pytest

from central.api.app import create_app
from central.storage.batch_thread import BatchThread


def _run(coroutine_function):
    thread = BatchThread("test-batch")
    try:
        return asyncio.run(coroutine_function(thread))
    finally:
        thread.shutdown()


def test_the_calls_of_one_turn_run_on_the_thread_in_order_and_come_back_together():
    ran: list[tuple[int, int]] = []

    def note(n: int) -> int:
        ran.append((n, threading.get_ident()))
        return n * 10

    async def scenario(thread: BatchThread):
        futures = [thread.run(note, n) for n in range(5)]  # one turn of the loop: no await between them
        first = await futures[0]
        # One hand-back delivers the whole batch: when the first answer is here, so are the others.
        return first, [future.done() for future in futures], await asyncio.gather(*futures)

    first, done, answers = _run(scenario)
    assert first == 0
    assert done == [True] * 5
    assert answers == [0, 10, 20, 30, 40]
    assert [n for n, _ in ran] == [0, 1, 2, 3, 4]
    assert len({ident for _, ident in ran}) == 1
    assert ran[0][1] != threading.get_ident()  # not the loop's thread


def test_a_failing_call_fails_only_its_own_awaiter():
    def fail() -> None:
        raise LookupError("no such row")

    async def scenario(thread: BatchThread):
        failing, fine = thread.run(fail), thread.run(lambda: "answer")
        with pytest.raises(LookupError, match="no such row"):
            await failing
        return await fine

    assert _run(scenario) == "answer"


def test_a_cancelled_awaiter_does_not_stop_the_batch():
    release = threading.Event()

    async def scenario(thread: BatchThread):
        held = thread.run(release.wait, 30.0)  # the 30 s only bound a hang: the event is set below
        later = thread.run(lambda: "after")
        await asyncio.sleep(0)  # the turn ends: the batch is handed over
        held.cancel()
        release.set()
        return await later

    assert _run(scenario) == "after"


def test_a_running_app_has_its_start_up_objects_frozen(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'empty.db'}")

    async def serve_and_stop() -> int:
        async with app.router.lifespan_context(app):  # what uvicorn runs around serving
            return gc.get_freeze_count()

    assert asyncio.run(serve_and_stop()) > 10_000
    assert gc.get_freeze_count() == 0


_SPANS_WITH_A_PROVIDER = r"""
import asyncio, sys
import httpx
from opentelemetry import trace
from central.api.app import create_app

class Recording(trace.TracerProvider):
    asked = 0
    def get_tracer(self, *args, **kwargs):
        Recording.asked += 1
        return trace.NoOpTracer()

trace.set_tracer_provider(Recording())
app = create_app(sys.argv[1])

async def main():
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://central") as client:
            return (await client.get("/v1/cards/7000070012806566")).status_code

print(asyncio.run(main()), Recording.asked)
"""


def test_fastapis_own_telemetry_is_off_even_with_a_global_tracer_provider(tmp_path):
    """Its spans would carry the look-up's path, a full card number; the service never asks for a
    tracer. In a process of its own: a global provider can be set only once."""
    result = subprocess.run([sys.executable, "-c", _SPANS_WITH_A_PROVIDER, f"sqlite:///{tmp_path / 'empty.db'}"],
                            capture_output=True, text=True, timeout=120, check=True)
    status, asked = result.stdout.split()
    assert status == "401"  # the request was served (no token), and
    assert asked == "0"  # no tracer was asked for it
