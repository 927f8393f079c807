"""What a process counts for GET /metrics (Prometheus), in prometheus_client's default registry.

An API run as several workers (`agora serve`, AGORA_WORKERS > 1) sets PROMETHEUS_MULTIPROC_DIR
before its workers start: each then writes its values to files there, and whichever worker is
scraped sums them all (prometheus_client's multiprocess mode), so one scrape is the whole API.
Gauges of a worker count only while it lives ("livesum"): `forget_dead_workers` drops the files
of one that died. Counters of a dead worker stay counted, as a counter must never go down.

A request does not write those files itself: an increment there takes a lock and a write to a
mapped file (about 1 µs, 3 µs for a histogram's observation; a cached read costs about 60 µs in
all), so requests count in plain Python numbers (`Tally`, `Level`, `Durations`), which
`flush` adds to the metrics: every second (`flush_every`) and before a scrape.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import re
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.multiprocess import mark_process_dead

from agora.services import pid_alive

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

FLUSH_SECONDS = 1.0


class Tally:
    """A count of this process, added to `counter` (a child with its labels) at each flush."""

    __slots__ = ("_counter", "pending")

    def __init__(self, counter: Counter) -> None:
        self._counter = counter
        self.pending = 0.0

    def add(self, amount: float = 1.0) -> None:
        self.pending += amount

    def flush(self) -> None:
        if self.pending:
            amount, self.pending = self.pending, 0.0
            self._counter.inc(amount)


class Level:
    """A level of this process (connections in use), set on `gauge` at each flush."""

    __slots__ = ("_gauge", "value")

    def __init__(self, gauge: Gauge) -> None:
        self._gauge = gauge
        self.value = 0

    def flush(self) -> None:
        self._gauge.set(self.value)


class Durations:
    """Observations of this process, added to `histogram` (a child with its labels) at each
    flush: bucket by bucket, as its `observe` would have added them one by one."""

    __slots__ = ("_histogram", "_bounds", "_counts", "_sum")

    def __init__(self, histogram: Histogram, bounds: tuple[float, ...]) -> None:
        self._histogram = histogram
        self._bounds = bounds
        self._counts = [0] * (len(bounds) + 1)  # the last: above every bound (+Inf)
        self._sum = 0.0

    def observe(self, seconds: float) -> None:
        self._counts[bisect.bisect_left(self._bounds, seconds)] += 1
        self._sum += seconds

    def flush(self) -> None:
        if not any(self._counts):
            return
        # prometheus_client's own fields (pinned 0.26.0): its public API adds one observation
        # at a time, which is the cost this class exists to avoid.
        for bucket, count in zip(self._histogram._buckets, self._counts, strict=True):
            if count:
                bucket.inc(count)
        self._histogram._sum.inc(self._sum)
        self._counts = [0] * len(self._counts)
        self._sum = 0.0


_PENDING: list[Tally | Level | Durations] = []


def tally(counter: Counter) -> Tally:
    found = Tally(counter)
    _PENDING.append(found)
    return found


def level(gauge: Gauge) -> Level:
    found = Level(gauge)
    _PENDING.append(found)
    return found


def durations(histogram: Histogram, bounds: tuple[float, ...]) -> Durations:
    found = Durations(histogram, bounds)
    _PENDING.append(found)
    return found


def flush() -> None:
    for pending in _PENDING:
        pending.flush()


async def flush_every(seconds: float = FLUSH_SECONDS) -> None:
    """Flushes until cancelled (the app's lifespan runs it), and once more then."""
    try:
        while True:
            await asyncio.sleep(seconds)
            flush()
    finally:
        flush()


_pool_in_use = Gauge(
    "agora_db_pool_connections_in_use",
    "PostgreSQL pool connections held by a request or task (as of the last second)",
    multiprocess_mode="livesum",
)
POOL_IN_USE = level(_pool_in_use)
POOL_WAITS = tally(
    Counter(
        "agora_db_pool_waits",
        "Acquisitions of a pool connection that found none free and had to wait",
    )
)
POOL_WAIT_SECONDS = tally(
    Counter("agora_db_pool_wait_seconds", "Time spent waiting for a free pool connection")
)

_LIVE_GAUGE_FILE = re.compile(r"^gauge_live[a-z]*_(\d+)\.db$")


def multiproc_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_DIR)
    return Path(value) if value else None


def forget_dead_workers(directory: Path) -> None:
    """Drops the live gauges of processes that are gone (a worker killed and replaced)."""
    for path in directory.iterdir():
        found = _LIVE_GAUGE_FILE.match(path.name)
        if found is not None and not pid_alive(int(found.group(1))):
            mark_process_dead(int(found.group(1)), str(directory))
