"""The results: a table on the terminal, and everything as JSON under bench-results/."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.bench import config

# The targets.
# GraphQL execution (signed in, listing cache off) / raw, with its p99 (issue 19; issue 8 asked
# 15% with no p99)
GRAPHQL_TARGET = 0.35
CACHED_TARGET = 0.50  # anonymous, cache on / raw
P99_TARGET_MS = 50.0

_MODES = (
    ("raw", "raw SQL (asyncpg pool)"),
    ("http_cached", "HTTP anonymous, cache on"),
    ("http_viewer", "HTTP signed in, cache on (overlay)"),
    ("http_graphql", "HTTP GraphQL exec, signed in, cache off"),
)


def code_version() -> dict[str, Any]:
    """What code was measured (the tree changes under other people's hands): a hash of the
    server's sources, and when the newest of them changed."""
    digest = hashlib.sha256()
    newest = 0.0
    files = sorted(
        p
        for folder in ("agora", "api")
        for p in (config.PROJECT_ROOT / folder).rglob("*")
        if p.is_file() and p.suffix in (".py", ".sql", ".graphql") and "__pycache__" not in p.parts
    )
    for path in [*files, config.PROJECT_ROOT / "pyproject.toml"]:
        digest.update(str(path.relative_to(config.PROJECT_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    return {
        "sources_sha256": digest.hexdigest()[:16],
        "newest_change": datetime.fromtimestamp(newest, UTC).isoformat(timespec="seconds"),
    }


def host_loop_seconds() -> float:
    """CPU seconds of a fixed Python loop (10,000,000 additions): how fast the host runs at this
    moment. A virtual machine shares its cores with neighbours: the same code has run twice as
    slow within an hour (0.31 s, then 0.74 s, on 2026-12-07), so figures of different runs compare
    only with this beside them."""
    started = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return round(time.process_time() - started, 2)


def environment() -> dict[str, Any]:
    versions = {}
    for package in (
        "strawberry-graphql",
        "graphql-core",
        "starlette",
        "uvicorn",
        "asyncpg",
        "uvloop",
        "httptools",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "host_loop_s_at_start": host_loop_seconds(),
        "packages": versions,
        "code": code_version(),
    }


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


# Issue 17: search through HTTP keeps half its SQL's rate, with p99 under 100 ms.
SEARCH_RATIO_TARGET = 0.5
SEARCH_P99_TARGET_MS = 100


def _search_table(search: dict[str, Any]) -> list[str]:
    lines = [
        f"search: {search['concurrency']} concurrent clients, "
        f"{search['duration_s']:.0f} s per case",
        f"{'search':<30} {'case':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>7}  target",
    ]
    lines.append("-" * len(lines[-1]))
    for cases in search["pages"].values():
        label = cases["label"]
        for mode, name in _MODES:
            case = cases.get(mode)
            if case is None:
                continue
            target = ""
            if mode != "raw":
                target = (
                    f"ratio>={SEARCH_RATIO_TARGET:.0%} "
                    f"{_mark(case['ratio'] >= SEARCH_RATIO_TARGET)}, "
                    f"p99<{SEARCH_P99_TARGET_MS} ms {_mark(case['p99_ms'] < SEARCH_P99_TARGET_MS)}"
                )
            lines.append(
                f"{label:<30} {name:<40} {case['rps']:>8.0f} {case['p50_ms']:>8.2f} "
                f"{case['p99_ms']:>8.2f} {case['ratio']:>7.1%}  {target}"
            )
            label = ""
    return lines


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    env = results.get("environment")
    if env:
        lines.append(
            f"code: sources {env['code']['sources_sha256']} (newest change "
            f"{env['code']['newest_change']}); {env['cpus']} CPUs, load average at start "
            f"{' '.join(env['loadavg_at_start'])}"
        )
        if "host_loop_s_at_end" in env:
            lines.append(
                f"host speed: a fixed loop of 10M additions took {env['host_loop_s_at_start']} s "
                f"of CPU at the start, {env['host_loop_s_at_end']} s at the end (lower is faster)"
            )
    dataset = results.get("dataset")
    if dataset:
        p = dataset["params"]
        how = "generated now" if dataset["generated"] else f"generated {dataset['generated_at']}"
        lines.append(
            f"dataset: {p['communities']:,} communities, {p['users']:,} users, {p['posts']:,} "
            f"posts, {p['votes']:,} votes; generation took {dataset['seconds']:.0f} s ({how})"
        )
    listing = results.get("listing")
    if listing:
        rounds = listing.get("rounds", 1)
        lines.append(
            f"listings: {listing['concurrency']} concurrent clients, {listing['duration_s']:.0f} s "
            f"per case"
            + (f" in {rounds} interleaved rounds" if rounds > 1 else "")
            + f", server and raw DB pool {listing['db_pool_size']} connections"
        )
        header = (
            f"{'page':<30} {'case':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'ratio':>7}  {'srv CPU':>7} {'PG CPU':>7} {'req/core-s':>10}  target"
        )
        lines += ["", header, "-" * len(header)]
        for cases in listing["pages"].values():
            label = cases["label"]
            for mode, name in _MODES:
                case = cases.get(mode)
                if case is None:
                    continue
                ratio = case.get("ratio", 1.0)
                cpu = case.get("cpu", {})
                server_cpu = cpu.get("server_cpu_pct", cpu.get("client_cpu_pct"))
                target = ""
                if mode == "http_graphql":
                    target = (
                        f"ratio>={GRAPHQL_TARGET:.0%} {_mark(ratio >= GRAPHQL_TARGET)}, "
                        f"p99 {_mark(case['p99_ms'] < P99_TARGET_MS)}"
                    )
                elif mode in ("http_cached", "http_viewer"):
                    target = (
                        f"ratio>={CACHED_TARGET:.0%} {_mark(ratio >= CACHED_TARGET)}, "
                        f"p99 {_mark(case['p99_ms'] < P99_TARGET_MS)}"
                    )
                errors = case.get("bad", 0) + case.get("socket_errors", 0) + case.get("errors", 0)
                if errors:
                    target += f" ({errors} errors!)"
                per_core = case.get("rps_per_server_core")
                lines.append(
                    f"{label:<30} {name:<40} {case['rps']:>8.0f} {case['p50_ms']:>8.2f} "
                    f"{case['p99_ms']:>8.2f} {ratio:>7.1%}  {_pct(server_cpu):>7} "
                    f"{_pct(cpu.get('postgres_cpu_pct')):>7} "
                    f"{'-' if per_core is None else f'{per_core:.0f}':>10}  {target}"
                )
                label = ""
        lines.append(
            "(srv CPU: the uvicorn worker, or for raw the asyncpg client process, in % of one "
            "core; PG CPU: all PostgreSQL processes;\n req/core-s: requests per second of one "
            "full core of the server, i.e. req/s / srv CPU, which other load on the machine "
            "does not change)"
        )
    search = results.get("search")
    if search:
        lines += ["", *_search_table(search)]
    votes = results.get("votes")
    if votes:
        after = votes["after"]
        lines += [
            "",
            f"votes: {votes['voters']} signed-in voters on post {after['post_id']}, "
            f"{votes['seconds']:.0f} s: {votes['rps']:.0f} votes/s, p50 {votes['p50_ms']:.1f} ms, "
            f"p99 {votes['p99_ms']:.1f} ms, {votes['bad'] + votes['socket_errors']} errors; "
            f"server CPU {_pct(votes['cpu'].get('server_cpu_pct'))}, "
            f"PG CPU {_pct(votes['cpu'].get('postgres_cpu_pct'))}",
            f"       after: score {after['post']['score']} = sum of {after['vote_rows']['votes']} "
            f"vote rows {after['vote_rows']['score']}; up {after['post']['upvotes']}/"
            f"{after['vote_rows']['upvotes']}, down {after['post']['downvotes']}/"
            f"{after['vote_rows']['downvotes']}; author karma {after['author_karma']} = "
            f"{after['author_karma_from_posts']}: "
            f"{'consistent' if after['consistent'] else 'INCONSISTENT'}",
        ]
        lines.append(_cpu_per_vote(votes))
        two = votes.get("two_workers")
        if two:
            lines.append(
                f"       two workers (AGORA_WORKERS=2): {two['rps']:.0f} votes/s, "
                f"p50 {two['p50_ms']:.1f} ms, p99 {two['p99_ms']:.1f} ms, "
                f"{two['bad'] + two['socket_errors']} errors; "
                f"{'consistent' if two['after']['consistent'] else 'INCONSISTENT'}"
                " (target >= 2000 votes/s, p99 < 50 ms)"
            )
            lines.append(_cpu_per_vote(two))
    comments = results.get("comments")
    if comments:
        lines += [
            "",
            f"comments: {comments['commenters']} at once on post {comments['post_id']}, all "
            f"answered in {comments['median_s']:.2f} s median, {comments['max_s']:.2f} s max "
            f"({len(comments['rounds_s'])} rounds)",
        ]
    frontend = results.get("frontend")
    if frontend:
        ready = frontend["front_page_interactive_ms"]
        bundle = frontend["bundle"]
        lines += [
            "",
            f"web forum: front page interactive in {ready['median']:.0f} ms median, "
            f"{ready['max']:.0f} ms max (first load {ready['first_load']:.0f} ms; target < 1000 "
            f"{_mark(ready['max'] < 1000)})",
            f"           JavaScript + CSS gzip: {bundle['initial_kb']:.1f} KB at first load, "
            f"{bundle['lazy_kb']:.1f} KB loaded later (wallet), {bundle['total_kb']:.1f} KB in all "
            f"(target < 250 {_mark(bundle['total_kb'] < 250)})",
        ]
    if "workers" in results:
        from tests.bench import workers

        lines += ["", *workers.table(results["workers"])]
    indexer = results.get("indexer")
    if indexer:
        raw, naive, live = indexer["raw_events_per_s"], indexer["naive"], indexer["live"]
        rate = indexer["indexer_events_per_s"]
        lines += [
            "",
            f"indexer: {indexer['chain']['expected_events']:,} events in "
            f"{indexer['chain']['head']:,} blocks, median of {indexer['rounds']} interleaved "
            f"rounds; load average {indexer['loadavg_before'][0]:.1f} -> "
            f"{indexer['loadavg_after'][0]:.1f}",
            f"  catch-up {rate:,} events/s; raw eth_getLogs {raw:,}/s: "
            f"{indexer['ratio_raw']:.0%} (target >= 30% {_mark(indexer['ratio_raw'] >= 0.30)}); "
            f"naive web3.py {naive['events_per_s']:,}/s: {indexer['ratio_naive']:.1f}x "
            f"(target >= 5x {_mark(indexer['ratio_naive'] >= 5)})",
            f"  live: {live['votes_sent']} votes at {live['votes_per_s']}/s, a block every "
            f"{live['block_seconds']} s, indexer polling every {live['poll_seconds']} s: "
            f"{live['lag_blocks_max']} blocks behind at most, {live['lag_blocks_p50']} median "
            f"(target < 2 {_mark(live['lag_blocks_max'] < 2)}); "
            f"{live['votes_indexed']} votes indexed",
        ]
    rewards = results.get("rewards")
    if rewards:
        close = rewards["close"]
        lines += [
            "",
            f"rewards: {rewards['votes_in_window']:,} votes, {rewards['communities']:,} "
            f"communities, medians of {rewards['rounds']} interleaved rounds; load average "
            f"{rewards['loadavg_before'][0]:.1f} -> {rewards['loadavg_after'][0]:.1f}",
            f"  bare aggregate {rewards['bare_votes_per_s']:,} votes/s "
            f"({rewards['bare_seconds']:.1f} s)",
            f"  compute (scoring + split) {rewards['compute_votes_per_s']:,} votes/s "
            f"({rewards['compute_seconds']:.1f} s): {rewards['compute_ratio']:.0%} "
            f"(target >= 40% {_mark(rewards['compute_ratio'] >= 0.4)})",
            f"  close (compute + books, lines, mint intents) {rewards['close_votes_per_s']:,} "
            f"votes/s ({close['seconds']:.1f} s, {close['recipients']:,} recipients, "
            f"{close['written']['reward_lines']:,} lines): {rewards['close_ratio']:.0%}",
        ]
    payout = results.get("payout")
    if payout:
        lines.append("")
        for key, label in (("new_holders", "new"), ("existing_holders", "existing")):
            epoch = payout[key]
            lines.append(
                f"payout to {epoch['recipients']:,} {label} holders in {epoch['batches']} "
                f"batches: {epoch['gas_per_recipient']:,} gas per recipient (contract's figure "
                f"{epoch['contract_figure']:,}); closed {epoch['close_s']:.1f} s, all mined "
                f"{epoch['mined_s']:.1f} s, last batch indexed {epoch['indexed_s']:.1f} s"
            )
    economy = results.get("economy")
    if economy:
        lines += ["", *economy_table(economy)]
    hostile = results.get("hostile")
    if hostile:
        huge, reads = hostile["huge_bodies"], hostile["largest_reads"]
        lines += [
            "",
            f"hostile bodies: worker RSS {hostile['rss_mb_before']:.0f} MB at start; "
            f"{hostile['rss_mb_after_huge_bodies']:.0f} MB after {huge['count']} bodies of "
            f"{huge['bytes'] // 2**20} MB (answered {huge['statuses']}); "
            f"{hostile['rss_mb_after_largest_reads']:.0f} MB after {reads['count']} distinct reads "
            f"of {reads['bytes']:,} bytes (answered {reads['statuses']}, {reads['answer_kb']:.0f} "
            f"KB each; shared answers bounded at {hostile['response_cache_bytes'] // 2**20} MB)",
        ]
        stall = hostile.get("render_stall")
        if stall:
            lines.append(
                f"rendering attack (20 previews of the slow case, {stall['attack_s']:.1f} s): "
                f"/healthz slowest {stall['healthz_max_ms']:.0f} ms, 99th percentile "
                f"{stall['healthz_p99_ms']:.0f} ms, median {stall['healthz_median_ms']:.0f} ms "
                f"over {stall['polls']} polls; errors {stall['errors']}"
            )
    return "\n".join(lines)


def economy_table(economy: dict[str, Any]) -> list[str]:
    """The attack bench: each attack's figure with weights and the old way, and its target."""
    met = economy["met"]

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.2%}"

    def times(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}x"

    ring, alts, trading, whale = (economy[k] for k in ("ring", "alts", "trading", "whale"))
    rows = [
        ("ring: its authors' share", pct(ring["weighted"]), pct(ring["old"]), "<= 1%", "ring"),
        ("alts: added to the owner", pct(alts["weighted"]), pct(alts["old"]), "<= 1%", "alts"),
        (
            "trading: circle / its honest share",
            times(trading["weighted"]),
            times(trading["old"]),
            "<= 1.5x",
            "trading",
        ),
        (
            "whale (30% of points): friend's share",
            pct(whale["weighted"]),
            pct(whale["old"]),
            "< 30%",
            "whale",
        ),
        (
            "honest items: Spearman weighted vs old",
            f"{economy['spearman']['weighted']:.3f}",
            "1",
            ">= 0.8",
            "spearman",
        ),
    ]
    out = [
        f"economy: {economy['members']} honest members, {economy['epochs']} epochs (the last "
        f"measured: {economy['measured_epoch']['lines']} lines, "
        f"{economy['measured_epoch']['authors']} authors)",
        f"  {'case':<40} {'weighted':>9} {'old way':>9}  target",
    ]
    out += [
        f"  {name:<40} {new:>9} {old:>9}  {target} {_mark(met[key])}"
        for name, new, old, target, key in rows
    ]
    out.append(
        f"  co-voting share on the trading circle's lines {pct(trading['co_voting_share'])}, "
        f"on honest lines {pct(trading['honest_co_voting_share'])}"
    )
    return out


def _cpu_per_vote(votes: dict[str, Any]) -> str:
    per_vote = votes.get("cpu_us_per_vote")
    if not per_vote:
        return "       CPU per vote: -"
    return (
        f"       CPU per vote: API {per_vote['api']:.0f} µs, PostgreSQL "
        f"{per_vote['postgres']:.0f} µs (all of it), Redis {per_vote['redis']:.0f} µs"
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def write(results: dict[str, Any]) -> Path:
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = config.RESULTS_DIR / f"bench-{stamp}.json"
    text = json.dumps(results, indent=2, default=str)
    path.write_text(text)
    (config.RESULTS_DIR / "latest.json").write_text(text)
    return path
