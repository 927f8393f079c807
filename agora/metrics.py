"""What a process counts for GET /metrics (Prometheus), in prometheus_client's default registry.

An API run as several workers (`agora serve`, AGORA_WORKERS > 1) sets PROMETHEUS_MULTIPROC_DIR
before its workers start: each then writes its values to files there, and whichever worker is
scraped sums them all (prometheus_client's multiprocess mode), so one scrape is the whole API.
Gauges of a worker count only while it lives ("livesum"): `forget_dead_workers` drops the files
of one that died. Counters of a dead worker stay counted, as a counter must never go down.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from prometheus_client import Counter, Gauge
from prometheus_client.multiprocess import mark_process_dead

from agora.services import pid_alive

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

POOL_IN_USE = Gauge(
    "agora_db_pool_connections_in_use",
    "PostgreSQL pool connections held by a request or task now",
    multiprocess_mode="livesum",
)
POOL_WAITS = Counter(
    "agora_db_pool_waits",
    "Acquisitions of a pool connection that found none free and had to wait",
)
POOL_WAIT_SECONDS = Counter(
    "agora_db_pool_wait_seconds",
    "Time spent waiting for a free pool connection",
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
