"""Where a listing request's CPU goes in the server: a throwaway run of the same server under a
profiler, driven by wrk, separate from the measurements (profilers slow what they watch).

    python -m tests.bench.profile [--mode graphql|viewer|cached|vote]
                                  [--page front|deep|community]
                                  [--profiler sample|cprofile] [--duration 15]

  sample    a statistical profiler (SIGPROF every millisecond of CPU, the Python stack of the main
            thread recorded): low overhead, honest percentages. Time in C code is charged to the
            Python function that called it (json.dumps to strawberry's encode_json, asyncpg's
            decoding to the awaiting frame, uvloop/httptools to the first Python callback).
  cprofile  the standard library's deterministic profiler: exact call counts, but every Python
            call costs extra, so call-heavy code (graphql-core) looks heavier than it is.

The server is `agora serve` itself, started by `python -m tests.bench.profile --child ...`, which
wraps cli.main.main(["serve"]) in the profiler and writes the profile when uvicorn shuts down.
Reports go to bench-results/profile-<mode>-<page>.{txt,prof,json}. The `vote` mode profiles the
votes bench's load instead of a page: its 50 voters cycling UP, DOWN, NONE on the page's first
post (tests/bench/votes.py), one process, where a vote's API CPU goes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import io
import json
import logging
import os
import pstats
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from tests.bench import config, wrk

if TYPE_CHECKING:
    from tests.bench.server import AgoraServer

log = logging.getLogger("bench.profile")

_SITE = "site-packages/"


# ---- the child: the server under a profiler ---------------------------------------------------


class Sampler:
    """Counts the Python stacks of the main thread, every `interval` seconds of process CPU."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.stacks: collections.Counter[tuple[str, ...]] = collections.Counter()

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        stack = []
        while frame is not None:
            code = frame.f_code
            stack.append(f"{_short(code.co_filename)}:{code.co_name}")
            frame = frame.f_back
        self.stacks[tuple(stack)] += 1

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self._handler)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps([[list(s), n] for s, n in self.stacks.items()]))


def _short(filename: str) -> str:
    if _SITE in filename:
        return filename.split(_SITE, 1)[1]
    root = str(config.PROJECT_ROOT) + "/"
    if filename.startswith(root):
        return filename[len(root) :]
    if "/lib/python3" in filename:
        return "stdlib/" + filename.rsplit("/", 1)[1]
    return filename


def child(profiler: str, out: Path, code: str | None = None) -> None:
    if code:  # a scratch copy of the tree, to profile a candidate change
        sys.path.insert(0, code)
    from cli import main as cli

    # uvicorn re-raises the SIGTERM it shut down on, with the handler found before it started:
    # make that one harmless, so the profile is written below.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)

    # Only the measured window is profiled: SIGUSR1 starts, SIGUSR2 stops (not start-up, not
    # sign-in, not the warm-up).
    if profiler == "cprofile":
        profile = cProfile.Profile()
        signal.signal(signal.SIGUSR1, lambda signum, frame: profile.enable())
        signal.signal(signal.SIGUSR2, lambda signum, frame: profile.disable())
        try:
            cli.main(["serve"])
        finally:
            profile.disable()
            profile.dump_stats(out)
    else:
        sampler = Sampler()
        signal.signal(signal.SIGUSR1, lambda signum, frame: sampler.start())
        signal.signal(signal.SIGUSR2, lambda signum, frame: sampler.stop())
        try:
            cli.main(["serve"])
        finally:
            sampler.stop()
            sampler.dump(out)


# ---- the analysis -----------------------------------------------------------------------------


def _area(location: str) -> str:
    """The package a frame belongs to, for the summary."""
    path = location.rsplit(":", 1)[0]
    if path.startswith(("api/", "agora/")):
        return "/".join(path.split("/")[:2]).removesuffix(".py")
    head = path.split("/", 1)[0]
    if head == "strawberry":
        return "/".join(path.split("/")[:2]).removesuffix(".py")
    return head.removesuffix(".py")


# Layers a sample is charged to: the innermost frame that matches one (checked in this order
# for each frame, innermost frame first).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("address checksum (eth_utils.to_checksum_address)", ("eth_utils/", "eth_hash/", "Crypto/")),
    ("JSON encoding of the response", ("stdlib/encoder.py", "strawberry/http/base.py:encode_json")),
    ("JSON decoding of the request", ("stdlib/decoder.py",)),
    ("asyncpg (queries, row decoding)", ("asyncpg/",)),
    ("strawberry DataLoader", ("strawberry/dataloader.py",)),
    (
        "asyncio tasks and futures (one per async field)",
        (
            "stdlib/tasks.py",
            "stdlib/_weakrefset.py",
            "stdlib/base_futures.py",
            "stdlib/futures.py",
            "stdlib/events.py",
            "graphql/pyutils/gather_with_cancel.py",
        ),
    ),
    (
        "request context (session lookup, loaders)",
        ("api/server/app.py:get_context", "api/auth/", "api/core/loaders.py:__init__"),
    ),
    ("Agora resolvers and types (api/)", ("api/",)),
    (
        "strawberry field wrappers (Info, arguments, extensions)",
        (
            "strawberry/schema/schema_converter.py",
            "strawberry/types/",
            "strawberry/schema/schema.py:build_resolve_info",
            "strawberry/execution/",
            "strawberry/utils/",
        ),
    ),
    ("graphql-core execution", ("graphql/",)),
    ("strawberry view and schema (parse/validate caches, result)", ("strawberry/",)),
    ("HTTP: uvicorn, httptools, starlette", ("uvicorn/", "starlette/", "httptools/", "cross_web/")),
    ("listing cache and response cache", ("api/core/caching.py", "api/server/graphql_view.py")),
    ("viewer overlay", ("api/server/viewer_overlay.py",)),
)


def _layer(stack: tuple[str, ...]) -> str:
    for location in stack:
        for name, prefixes in LAYERS:
            if location.startswith(prefixes):
                return name
    return "other (event loop, interpreter)"


def summarize_samples(path: Path, top: int = 45) -> str:
    stacks = [(tuple(s), n) for s, n in json.loads(path.read_text())]
    total = sum(n for _, n in stacks)
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    for stack, n in stacks:
        if not stack:
            continue
        layers[_layer(stack)] += n
        own[stack[0]] += n
        areas[_area(stack[0])] += n
        for location in set(stack):
            inclusive[location] += n
    out = io.StringIO()
    out.write(f"{total} samples (1 per ms of server CPU, measured window only)\n\n")
    out.write("by layer (each sample charged to the innermost frame of a known layer):\n")
    for layer, n in layers.most_common():
        out.write(f"  {100 * n / total:5.1f}%  {layer}\n")
    out.write("\nself time by package (the innermost Python frame's):\n")
    for area, n in areas.most_common(25):
        out.write(f"  {100 * n / total:5.1f}%  {area}\n")
    out.write("\nself time by function:\n")
    for location, n in own.most_common(top):
        out.write(f"  {100 * n / total:5.1f}%  {location}\n")
    out.write("\ninclusive time (the function or anything it called):\n")
    for location, n in inclusive.most_common(top * 2):
        out.write(f"  {100 * n / total:5.1f}%  {location}\n")
    return out.getvalue()


def summarize_cprofile(path: Path, top: int = 45) -> str:
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top * 2)
    return out.getvalue()


# ---- the driver --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.profile")
    parser.add_argument(
        "--mode", choices=["graphql", "viewer", "cached", "vote"], default="graphql"
    )
    parser.add_argument("--page", choices=["front", "deep", "community"], default="front")
    parser.add_argument("--profiler", choices=["sample", "cprofile"], default="sample")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--database", default=config.DATABASE)
    parser.add_argument(
        "--code",
        help="run the server from this copy of the tree (agora/, api/ "
        "...), e.g. to profile a candidate change without touching the repo",
    )
    parser.add_argument("--child", nargs=2, metavar=("PROFILER", "OUT"), help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.child:
        child(ns.child[0], Path(ns.child[1]), ns.code)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    from tests.bench import listing
    from tests.bench.server import AgoraServer, sign_in_many

    database_url = config.database_url(ns.database)
    page = next(p for p in asyncio.run(listing.pages(database_url)) if p.key == ns.page)
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    variant = "-candidate" if ns.code else ""
    stem = config.RESULTS_DIR / f"profile-{ns.mode}-{ns.page}-{ns.profiler}{variant}"
    out = stem.with_suffix(".prof" if ns.profiler == "cprofile" else ".json")
    server = AgoraServer(
        database_url,
        listing_cache_seconds=0 if ns.mode == "graphql" else None,
        log_path=config.RESULTS_DIR / "logs" / "server-profile.log",
        command=[
            config.python(),
            "-m",
            "tests.bench.profile",
            "--child",
            ns.profiler,
            str(out),
            *(["--code", ns.code] if ns.code else []),
        ],
    )
    with server:
        if ns.mode == "vote":
            result = _vote_load(server, database_url, ns.duration)
        else:
            token = None
            if ns.mode in ("graphql", "viewer"):
                [viewer] = asyncio.run(sign_in_many(server, ["listing-viewer"]))
                token = viewer.token
            size = asyncio.run(listing.check_page(server, page, token))
            result = wrk.run(
                server.graphql_url,
                wrk.post_script(page.body, token=token),
                connections=config.CONCURRENCY,
                threads=config.WRK_THREADS,
                duration=ns.duration,
                server_pid=server.pid,
                body_bytes=size,
                on_start=lambda: os.kill(server.pid, signal.SIGUSR1),
                on_end=lambda: os.kill(server.pid, signal.SIGUSR2),
            )
    log.info(
        "under the profiler: %.0f req/s, server CPU %s%%",
        result.rps,
        result.cpu.get("server_cpu_pct"),
    )
    if not out.exists():
        raise SystemExit(f"the server wrote no profile ({out}); see its log")
    summary = (summarize_cprofile if ns.profiler == "cprofile" else summarize_samples)(out)
    header = (
        f"profile of {ns.mode} {page.label}, {ns.profiler}, {ns.duration:.0f} s at "
        f"{config.CONCURRENCY} clients: {result.rps:.0f} req/s under the profiler, "
        f"{result.requests} requests\n\n"
    )
    stem.with_suffix(".txt").write_text(header + summary)
    sys.stdout.write(header + summary)
    log.info("written %s", stem.with_suffix(".txt").relative_to(config.PROJECT_ROOT))


def _vote_load(server: AgoraServer, database_url: str, duration: float) -> wrk.WrkResult:
    """The votes bench's load (tests/bench/votes.py) on the server under the profiler."""
    from api.core import ids
    from tests.bench import votes
    from tests.bench.generate import settle
    from tests.bench.server import sign_in_many

    post_id = asyncio.run(votes.hot_post(database_url))
    names = [f"voter-{i}" for i in range(config.VOTERS)]
    tokens = [v.token for v in asyncio.run(sign_in_many(server, names)) if v.token]
    try:
        return wrk.run(
            server.graphql_url,
            wrk.vote_script(tokens, ids.encode("Post", post_id), expect='"vote":{'),
            connections=config.VOTERS,
            threads=config.VOTERS,
            duration=duration,
            server_pid=server.pid,
            on_start=lambda: os.kill(server.pid, signal.SIGUSR1),
            on_end=lambda: os.kill(server.pid, signal.SIGUSR2),
        )
    finally:
        asyncio.run(settle(database_url))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
