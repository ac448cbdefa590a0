"""Shared by the reader benchmarks: pcscd with the vpcd readers (the test rig's), and timed taps."""
from __future__ import annotations

import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.rigs.pcsc import PcscRig, open_rig


@contextlib.contextmanager
def pcsc_rig() -> Iterator[PcscRig]:
    """The test rig outside pytest: a pcscd of the bench's own (its socket, its vpcd ports)."""
    with tempfile.TemporaryDirectory(prefix="bench-pcscd-") as workdir:
        rig = open_rig(Path(workdir))
        try:
            yield rig
        finally:
            rig.stop()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def summary_ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"n={len(ms):4d}  p50 {percentile(ms, 0.5):7.2f} ms  p95 {percentile(ms, 0.95):7.2f} ms  "
        f"max {max(ms):7.2f} ms  mean {statistics.fmean(ms):7.2f} ms"
    )
