"""Token buckets per key, in memory (each service process keeps its own)."""
from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    """At most ``capacity`` events per key in any ``period_s`` window on average, bursts up to ``capacity``."""

    def __init__(self, capacity: int, period_s: float) -> None:
        if capacity < 1 or period_s <= 0:
            raise ValueError("a rate limit needs a capacity >= 1 and a positive period")
        self._capacity = float(capacity)
        self._refill_per_s = capacity / period_s
        self._buckets: dict[object, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _tokens(self, key: object, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (self._capacity, now))
        return min(self._capacity, tokens + (now - stamp) * self._refill_per_s)

    def _wait(self, tokens: float) -> int:
        return max(1, math.ceil((1.0 - tokens) / self._refill_per_s))

    def blocked(self, key: object) -> int | None:
        """Seconds until ``key`` may act again, or None when it may now (takes nothing)."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(key, now)
        return None if tokens >= 1.0 else self._wait(tokens)

    def acquire(self, key: object) -> int | None:
        """Takes one token for ``key``: None when allowed, else the seconds until one is free."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return self._wait(tokens)
