"""Where the CPU went during a measurement, from /proc: the whole machine, the process under test,
and PostgreSQL: all its processes (on a shared machine that includes other people's queries), and
those that serve the measured database (its backends and their parallel workers, with the shared
ones such as the WAL writer and the checkpointer, but not other databases' backends)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

_TICK = os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _process_seconds(pid: int) -> float:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    after = raw.rsplit(")", 1)[1].split()
    return (int(after[11]) + int(after[12])) / _TICK  # utime + stime


def _postgres_processes() -> dict[tuple[int, int], tuple[float, str]]:
    """CPU seconds and title of every PostgreSQL process, by (pid, start time): pids are
    reused."""
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
            name = raw[raw.find("(") + 1 : raw.rfind(")")]
            if not name.startswith("postgres"):
                continue
            title = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        after = raw.rsplit(")", 1)[1].split()
        seconds = (int(after[11]) + int(after[12])) / _TICK
        found[int(entry.name), int(after[19])] = (seconds, title)
    return found


def _postgres_seconds(
    processes: dict[tuple[int, int], tuple[float, str]], database: str | None = None
) -> dict[tuple[int, int], float]:
    """The CPU seconds of `processes` (of those that serve `database`, if given)."""
    titles = {pid: title for (pid, _), (_, title) in processes.items()}
    return {
        key: seconds
        for key, (seconds, title) in processes.items()
        if database is None or _serves(title, database, titles)
    }


_BACKEND = re.compile(r"postgres: [^:]+: \S+ (?P<database>\S+) (\S+\(\d+\)|\[local\])")
_PARALLEL = re.compile(r"postgres: [^:]+: parallel worker for PID (?P<leader>\d+)")


def _serves(title: str, database: str, titles: dict[int, str]) -> bool:
    """Whether the process of this title serves `database` (a process title is
    `postgres: <cluster>: <user> <database> <host>(<port>) <activity>` for a backend)."""
    parallel = _PARALLEL.match(title)
    if parallel is not None:
        return _serves(titles.get(int(parallel["leader"]), ""), database, titles)
    backend = _BACKEND.match(title)
    if backend is not None:
        return backend["database"] == database
    return True  # a process of the whole server (the postmaster, the WAL writer, ...)


def redis_of(url: str) -> dict[str, int]:
    """{"redis": pid} of the redis-server listening on `url`'s port on this machine, if one is
    found by its command line (empty otherwise: a Redis elsewhere is not measured)."""
    port = urlsplit(url).port or 6379
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            command = Path(entry.path, "cmdline").read_bytes().split(b"\0")[0].decode()
        except OSError:
            continue
        if command.startswith("redis-server") and command.endswith(f":{port}"):
            return {"redis": int(entry.name)}
    return {}


@dataclass
class CpuMeter:
    """Start it, run the measurement, stop it: CPU use in % of one core (machine: % of all)."""

    pids: dict[str, int] = field(default_factory=dict)
    database: str | None = None  # also measure the PostgreSQL processes that serve it

    def start(self) -> CpuMeter:
        self._t0 = time.monotonic()
        self._machine0 = _machine()
        self._procs0 = {name: _process_seconds(pid) for name, pid in self.pids.items()}
        self._pg0 = _postgres_seconds(_postgres_processes())
        return self

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self._t0
        processes = _postgres_processes()
        busy1, total1 = _machine()
        busy0, total0 = self._machine0
        result = {
            "machine_busy_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1),
            "postgres_cpu_pct": self._postgres_pct(_postgres_seconds(processes), wall),
            "loadavg_1m": float(Path("/proc/loadavg").read_text().split()[0]),
        }
        if self.database:
            result["postgres_own_cpu_pct"] = self._postgres_pct(
                _postgres_seconds(processes, self.database), wall
            )
        for name, pid in self.pids.items():
            result[f"{name}_cpu_pct"] = round(
                100 * (_process_seconds(pid) - self._procs0[name]) / wall, 1
            )
        return result

    def _postgres_pct(self, now: dict[tuple[int, int], float], wall: float) -> float:
        """The CPU these PostgreSQL processes used since the start, in % of one core. Processes
        that ended meanwhile are lost (their time is unknown); new ones count whole."""
        return round(100 * sum(t - self._pg0.get(key, 0.0) for key, t in now.items()) / wall, 1)
