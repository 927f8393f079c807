"""Where the benchmarks run: local services only, and the fixed parameters of every measurement."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from agora.migrate import with_database
from agora.settings import PROJECT_ROOT, Settings

# Everything measured lives on this machine: refuse any other host.
LOCAL_HOSTS = ("127.0.0.1",)

POSTGRES_SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
DATABASE = os.environ.get("BENCH_DATABASE", "agora_bench")

RESULTS_DIR = PROJECT_ROOT / "bench-results"

# The `agora` console script of this virtualenv: the server is started as production starts it.
AGORA = Path(sys.executable).with_name("agora")

CONCURRENCY = 32  # clients of every listing measurement, HTTP and raw alike
VOTERS = 50  # distinct signed-in users voting on one post at once
PAGE_SIZE = 25
DEEP_AFTER = 2000  # the deep page starts after this many posts of the front page
WARMUP_SECONDS = 3
WRK_THREADS = 2

# The server's own pool size (the raw side uses as many connections, for a like-for-like ratio).
DB_POOL_SIZE = Settings.from_env().db_pool_size


def check_local(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"benchmarks only talk to 127.0.0.1; refusing {url!r}")
    return url


def database_url(name: str = DATABASE) -> str:
    return with_database(check_local(POSTGRES_SERVER_URL), name)


def python() -> str:
    return sys.executable
