"""The HTTP load generator: wrk (C, epoll, little CPU of its own) with a Lua script that sends the
POST body, counts answers that are not what was asked for, and prints its figures as JSON.

Install it with `apt-get install wrk` (Debian/Ubuntu).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench import config
from tests.bench.procstat import CpuMeter

_SETUP = r"""
threads = {}
bad = 0
function setup(thread)
  table.insert(threads, thread)
  if per_thread_setup then per_thread_setup(thread, #threads) end
end
"""

# Checking each body costs wrk a copy of it into Lua: only the small answers of votes are
# checked one by one; listing runs are checked by their byte count (see `run`).
_CHECK = r"""
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true)
     or not string.find(body, expect, 1, true) then
    bad = bad + 1
    if bad == 1 then
      io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end
"""

_DONE = r"""
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"bad":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,' ..
    '"max_us":%.0f,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, bad_total, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def lua_string(value: str) -> str:
    """A Lua long-bracket string literal holding `value` verbatim."""
    level = 1
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


def post_script(body: str, *, token: str | None = None) -> str:
    """The same POST every time (a page of a listing), anonymous or with a bearer token."""
    lines = [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        f"wrk.body = {lua_string(body)}",
    ]
    if token:
        lines.append(f'wrk.headers["Authorization"] = {lua_string("Bearer " + token)}')
    return "\n".join(lines) + _SETUP + _DONE


def vote_script(tokens: list[str], target_id: str, *, expect: str) -> str:
    """One signed-in voter per wrk thread (run with as many threads as connections), each
    cycling UP, DOWN, NONE on the same target."""
    query = (
        "mutation Vote($targetId: ID!, $direction: VoteDirection!) { vote(targetId: $targetId, "
        "direction: $direction) { score upvotes downvotes viewerVote } }"
    )
    prefix = json.dumps({"query": query, "variables": {"targetId": target_id}})[:-2]
    table = ", ".join(lua_string(t) for t in tokens)
    return (
        f"""
tokens = {{ {table} }}
expect = {lua_string(expect)}
directions = {{ "UP", "DOWN", "NONE" }}
prefix = {lua_string(prefix + ',"direction":"')}
suffix = '"}}}}'
function per_thread_setup(thread, index)
  thread:set("token", tokens[(index - 1) % #tokens + 1])
  thread:set("counter", index)
end
function request()
  counter = counter + 1
  local body = prefix .. directions[counter % 3 + 1] .. suffix
  return wrk.format("POST", "/graphql",
    {{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }}, body)
end
"""
        + _SETUP
        + _CHECK
        + _DONE
    )


_HEADER_SLACK = 400  # status line and headers of an answer, at most


@dataclass
class WrkResult:
    rps: float
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_request: float
    bad: int
    socket_errors: int
    cpu: dict[str, float]
    output: str

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "output"} | {"wrk": self.output}


def run(
    url: str,
    script: str,
    *,
    connections: int,
    threads: int,
    duration: float,
    server_pid: int | None = None,
    body_bytes: int | None = None,
    on_start: Callable[[], None] | None = None,
    on_end: Callable[[], None] | None = None,
) -> WrkResult:
    """Run wrk for `duration` seconds against `url` (after a warm-up of the same load).

    With `body_bytes`, every answer must have been that long (plus its headers): the average
    size of what wrk read is checked, and a run that read anything else counts as all bad.
    `on_start` and `on_end` are called around the measured run (after the warm-up).
    """
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    config.check_local(url)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = Path(handle.name)
    try:
        command = [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(path),
        ]
        subprocess.run(
            [*command, f"-d{config.WARMUP_SECONDS}s", url], check=True, capture_output=True
        )
        if on_start:
            on_start()
        meter = CpuMeter({"server": server_pid} if server_pid else {}).start()
        done = subprocess.run(
            [*command, f"-d{int(duration)}s", url], check=True, capture_output=True, text=True
        )
        cpu = meter.stop()
        if on_end:
            on_end()
    finally:
        path.unlink(missing_ok=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    socket_errors = sum(data[k] for k in ("connect", "read", "write", "timeout"))
    per_request = data["bytes"] / max(1, data["requests"])
    bad = data["bad"] + data["status"]
    if body_bytes is not None and not body_bytes <= per_request <= body_bytes + _HEADER_SLACK:
        bad = data["requests"]
    return WrkResult(
        rps=data["requests"] / seconds,
        requests=data["requests"],
        seconds=round(seconds, 3),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        bytes_per_request=round(per_request, 1),
        bad=bad,
        socket_errors=socket_errors,
        cpu=cpu,
        output=done.stdout + done.stderr,
    )
