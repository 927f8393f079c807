"""Issue 19: the API on every core, and a thousand open subscriptions.

  scaling        the front page, cached, through `agora serve` with one worker and with two
                 (AGORA_WORKERS), same load (32 clients), interleaved rounds: anonymous (what
                 most readers get: the shared answer as stored) and signed in (the shared
                 answer with the viewer's own votes laid over it); the target is two workers at
                 >= 1.7x one worker's rate;
  subscriptions  one worker: its memory (RSS) and the cached front page's p99 with no socket
                 open, then with 1,000 subscriptions open (50 sockets of 20, each socket from an
                 address of its own as browsers would be), then closed again; targets < 50 MB
                 more, and a p99 within P99_SLACK of the mean of those without.

wrk, PostgreSQL and the servers share the machine's cores: on two cores, two workers compete
with wrk for them, which the CPU figures beside each case show.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
from pathlib import Path
from typing import Any

from tests.bench import config, wrk
from tests.bench.generate import settle
from tests.bench.hostile_bodies import rss_mb
from tests.bench.listing import Page, check_page, pages
from tests.bench.procstat import CpuMeter
from tests.bench.server import AgoraServer, sign_in_many
from tests.support.sockets import Socket

log = logging.getLogger("bench.workers")

SCALING_TARGET = 1.7
MEMORY_TARGET_MB = 50.0
# "Keeps its p99": no more than this much above the p99 without subscriptions (the machine's
# other load moves a p99 by about that between two runs).
P99_SLACK = 1.25
SOCKETS = 50
PER_SOCKET = 20
POST_CREATED = "subscription($c: String) { postCreated(community: $c) { id title } }"


def workers_of(server: AgoraServer) -> dict[str, int]:
    """The server's API processes by name: itself with one worker, else the children uvicorn
    spawned (its resource tracker aside)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    workers = [
        int(pid)
        for pid in children
        if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    return {f"worker{n}": pid for n, pid in enumerate(workers)} or {"worker0": server.pid}


def _measure(
    server: AgoraServer, page: Page, body_bytes: int, seconds: float, token: str | None = None
) -> dict[str, Any]:
    """wrk on the page (signed in with `token`), with the CPU of each of the server's workers."""
    meter = CpuMeter(workers_of(server))
    cpu: dict[str, float] = {}
    result = wrk.run(
        server.graphql_url,
        wrk.post_script(page.body, token=token),
        connections=config.CONCURRENCY,
        threads=config.WRK_THREADS,
        duration=seconds,
        body_bytes=body_bytes,
        on_start=meter.start,
        on_end=lambda: cpu.update(meter.stop()),
    )
    if result.bad or result.socket_errors:
        raise RuntimeError(f"{result.bad} bad answers, {result.socket_errors} socket errors")
    workers_cpu = sum(v for k, v in cpu.items() if k.startswith("worker"))
    return result.as_dict() | {"cpu": cpu, "workers_cpu_pct": round(workers_cpu, 1)}


def scaling(
    database_url: str, page: Page, duration: float, rounds: int, *, signed_in: bool
) -> dict[str, Any]:
    logs = config.RESULTS_DIR / "logs"
    slice_seconds = max(2, round(duration / rounds))
    one = AgoraServer(database_url, log_path=logs / "server-workers-1.log")
    two = AgoraServer(
        database_url, log_path=logs / "server-workers-2.log", extra_env={"AGORA_WORKERS": "2"}
    )
    measured: dict[str, list[dict[str, Any]]] = {"one": [], "two": []}
    with one, two:
        token = asyncio.run(sign_in_many(one, ["workers-viewer"]))[0].token if signed_in else None
        body_bytes = asyncio.run(check_page(one, page, token))
        asyncio.run(check_page(two, page, token))
        for round_ in range(rounds):
            for key, server in (("one", one), ("two", two)):
                result = _measure(server, page, body_bytes, slice_seconds, token)
                measured[key].append(result)
                log.info(
                    "%s, round %d/%d, %s worker(s): %7.0f req/s, p99 %6.1f ms, workers' CPU "
                    "%s%%, load %.1f",
                    "signed in" if signed_in else "anonymous",
                    round_ + 1,
                    rounds,
                    key,
                    result["rps"],
                    result["p99_ms"],
                    result["workers_cpu_pct"],
                    result["cpu"]["loadavg_1m"],
                )
    cases = {key: _aggregate(runs) for key, runs in measured.items()}
    return {
        "page": page.label,
        "signed_in": signed_in,
        "seconds_per_round": slice_seconds,
        "rounds": rounds,
        **cases,
        "ratio": cases["two"]["rps"] / cases["one"]["rps"],
    }


def _aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    workers_cpu = statistics.fmean(r["workers_cpu_pct"] for r in runs)
    return {
        "rps": requests / seconds,
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "workers_cpu_pct": workers_cpu,
        # What a request costs the workers, whatever share of the cores they got: two workers
        # that scale cost what one does.
        "rps_per_worker_core": requests / seconds / max(workers_cpu / 100, 0.01),
        "machine_busy_pct": statistics.fmean(r["cpu"]["machine_busy_pct"] for r in runs),
        "loadavg_1m": statistics.fmean(r["cpu"]["loadavg_1m"] for r in runs),
        "rounds": runs,
    }


class _Subscribers:
    """SOCKETS sockets of PER_SOCKET subscriptions each, held open by a loop in a thread of its
    own (as clients elsewhere would) while the main thread measures."""

    def __init__(self, graphql_url: str) -> None:
        self._url = graphql_url
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self.subscriptions = 0
        self._thread = threading.Thread(target=self._run, name="subscribers", daemon=True)

    def __enter__(self) -> _Subscribers:
        self._thread.start()
        self._ready.wait(300)
        if self.error is not None:
            raise RuntimeError("the subscribers did not open") from self.error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def _run(self) -> None:
        try:
            asyncio.run(self._hold())
        except BaseException as error:  # reported to the measuring thread
            self.error = error
            self._ready.set()

    async def _hold(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        sockets = []
        try:
            for n in range(SOCKETS):
                socket = await Socket.open(
                    self._url, local_ip=f"127.0.{n // 250 + 1}.{n % 250 + 2}"
                )
                assert socket.acknowledged, f"socket {n} refused: {socket.close_code}"
                sockets.append(socket)
                for k in range(PER_SOCKET):
                    await socket.subscribe(f"s{k}", POST_CREATED, {"c": None})
                    self.subscriptions += 1
            await asyncio.sleep(2)  # every subscription started on the server
            for socket in sockets:
                assert not socket.closed, f"a socket was closed: {socket.close_code}"
            self._ready.set()
            await self._stop.wait()
        finally:
            for socket in sockets:
                await socket.close()


def subscriptions(database_url: str, page: Page, duration: float) -> dict[str, Any]:
    logs = config.RESULTS_DIR / "logs"
    with AgoraServer(database_url, log_path=logs / "server-workers-subscriptions.log") as server:
        body_bytes = asyncio.run(check_page(server, page, None))
        before = _measure(server, page, body_bytes, duration)
        rss_before = rss_mb(server.pid)
        log.info(
            "no subscription: RSS %.1f MB, %7.0f req/s, p99 %6.1f ms",
            rss_before,
            before["rps"],
            before["p99_ms"],
        )
        with _Subscribers(server.graphql_url) as held:
            rss_open = rss_mb(server.pid)
            during = _measure(server, page, body_bytes, duration)
            log.info(
                "%d subscriptions: RSS %.1f MB, %7.0f req/s, p99 %6.1f ms",
                held.subscriptions,
                rss_open,
                during["rps"],
                during["p99_ms"],
            )
        # and without them again: the machine's other load moves between the runs
        after = _measure(server, page, body_bytes, duration)
        log.info("closed again: %7.0f req/s, p99 %6.1f ms", after["rps"], after["p99_ms"])
    return {
        "subscriptions": held.subscriptions,
        "rss_before_mb": round(rss_before, 1),
        "rss_open_mb": round(rss_open, 1),
        "rss_added_mb": round(rss_open - rss_before, 1),
        "before": before,
        "during": during,
        "after": after,
        "p99_without_ms": (before["p99_ms"] + after["p99_ms"]) / 2,
    }


def run(database_url: str, duration: float, rounds: int = 1) -> dict[str, Any]:
    asyncio.run(settle(database_url))
    front = asyncio.run(pages(database_url))[0]
    rounds = max(rounds, 2)
    return {
        "scaling": scaling(database_url, front, duration, rounds, signed_in=False),
        "scaling_signed_in": scaling(database_url, front, duration, rounds, signed_in=True),
        "subscriptions": subscriptions(database_url, front, duration),
    }


def table(results: dict[str, Any]) -> list[str]:
    subs = results["subscriptions"]
    added = subs["rss_added_mb"]
    p99_without, p99_during = subs["p99_without_ms"], subs["during"]["p99_ms"]
    scalings = [results["scaling"]]
    if "scaling_signed_in" in results:  # runs before it was measured have none
        scalings.append(results["scaling_signed_in"])
    return [
        *(line for scale in scalings for line in _scaling_table(scale)),
        f"subscriptions: {subs['subscriptions']} open on one worker: RSS {subs['rss_before_mb']} "
        f"-> {subs['rss_open_mb']} MB, +{added} MB (target < {MEMORY_TARGET_MB:.0f} "
        f"{'ok' if added < MEMORY_TARGET_MB else 'MISSED'})",
        f"  cached front page p99 {p99_during:.1f} ms with them, {p99_without:.1f} ms without "
        f"(mean of before and after; target <= {P99_SLACK}x "
        f"{'ok' if p99_during <= P99_SLACK * p99_without else 'MISSED'}); "
        f"{subs['before']['rps']:.0f} / {subs['during']['rps']:.0f} / "
        f"{subs['after']['rps']:.0f} req/s before / with / after",
    ]


def _scaling_table(scale: dict[str, Any]) -> list[str]:
    one, two = scale["one"], scale["two"]
    mark = "ok" if scale["ratio"] >= SCALING_TARGET else "MISSED"
    who = "signed in" if scale.get("signed_in") else "anonymous"
    return [
        f"workers: {scale['page']}, {who} and cached, {config.CONCURRENCY} clients, "
        f"{scale['rounds']} interleaved rounds of {scale['seconds_per_round']} s; load average "
        f"{one['loadavg_1m']:.1f} / {two['loadavg_1m']:.1f}",
        f"  1 worker  {one['rps']:7.0f} req/s, p99 {one['p99_ms']:6.1f} ms, worker CPU "
        f"{one['workers_cpu_pct']:.0f}% ({one['rps_per_worker_core']:.0f} req/core-s), machine "
        f"busy {one['machine_busy_pct']:.0f}%",
        f"  2 workers {two['rps']:7.0f} req/s, p99 {two['p99_ms']:6.1f} ms, workers' CPU "
        f"{two['workers_cpu_pct']:.0f}% ({two['rps_per_worker_core']:.0f} req/core-s), machine "
        f"busy {two['machine_busy_pct']:.0f}%",
        f"  ratio {scale['ratio']:.2f}x (target >= {SCALING_TARGET}x {mark})",
    ]
