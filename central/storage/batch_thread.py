"""One thread of its own that runs blocking calls for the event loop, handed over in batches.

Every call awaited from another thread costs two wake-ups: the loop wakes the thread, the
thread wakes the loop. On two busy cores each wake-up can preempt the thread or process that
makes it while it holds the GIL, and the other side then waits for the GIL or for a core: issue
15's profile (py-spy ``--gil``) found the event loop holding the GIL inside the thread pool's
``submit`` for 13 % of its samples, and SQLite's look-ups' p99 went from 5 ms (read on the loop)
to 36-116 ms (one hop each to ``run_in_executor``).

Here the calls a loop makes in one turn are queued and handed to the thread together, at the
end of that turn, and their answers come back together: two wake-ups per batch, not per call.
Under light load a batch is one call, as before; the busier the loop, the larger the batches,
so the wake-ups per call fall as the load rises. The thread runs the calls one after another,
so whatever it owns (a connection) is never used by two calls at once.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_Call = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]


class BatchThread:
    """Runs ``function(*args)`` on one thread of its own for coroutines of one event loop."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._queued: list[_Call] = []

    def run(self, function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """The future answer of ``function(*args)``, called on the thread with the turn's other calls."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._queued:
            loop.call_soon(self._hand_over, loop)
        self._queued.append((function, args, future))
        return future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._queued = self._queued, []
        self._executor.submit(self._run_batch, loop, batch)

    @staticmethod
    def _run_batch(loop: asyncio.AbstractEventLoop, batch: list[_Call]) -> None:
        """On the thread: every call of ``batch``, then one hand-back of all the answers to the loop."""
        answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        for function, args, future in batch:
            try:
                answers.append((future, function(*args), None))
            except BaseException as exc:  # handed to the awaiting coroutine, as run_in_executor does
                answers.append((future, None, exc))
        loop.call_soon_threadsafe(_deliver, answers)

    def shutdown(self) -> None:
        """Waits for the calls handed over so far, then ends the thread."""
        self._executor.shutdown(wait=True)


def _deliver(answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in answers:
        if future.cancelled():  # its coroutine was cancelled meanwhile: nobody waits for it
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
