"""Agora's benchmarks: `python -m tests.bench [generate|listing|search|votes|comments|frontend|
workers|hostile|indexer|rewards|payout|economy|all] [--regenerate] [--duration N]`
(see tests/bench/README.md)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict
from typing import Any

from tests.bench import config, generate, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=[
            "generate",
            "listing",
            "search",
            "votes",
            "comments",
            "frontend",
            "workers",
            "hostile",
            "indexer",
            "rewards",
            "payout",
            "economy",
            "all",
        ],
        help="generate the dataset only, or measure listings, search (issue 17), votes, "
        "simultaneous comments, the web forum, two workers against one and 1,000 open "
        "subscriptions (issue 19), the worker's memory under hostile bodies, "
        "the indexer (issue 9), an epoch's rewards or a 10,000-recipient payout (issue 10), "
        "or attacks on the reward economy (issue 16) (default: all)",
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="drop and generate the dataset again even if it is there",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=15,
        help="seconds of each measurement, after a warm-up (default 15)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each listing measurement into this many interleaved rounds "
        "(raw, cached, graphql, raw, ...), for a machine whose other load "
        "varies (default 1)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="scale the dataset (e.g. 0.01 for a quick trial; use its own --database)",
    )
    parser.add_argument(
        "--database",
        default=config.DATABASE,
        help=f"database of the dataset (default {config.DATABASE})",
    )
    parser.add_argument(
        "--live-seconds",
        type=float,
        default=30,
        help="indexer: seconds of the live measurement (default 30)",
    )
    ns = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    if ns.what in ("hostile", "indexer", "payout", "economy"):  # databases of their own
        results: dict[str, Any] = {"environment": report.environment()}
        if ns.what == "hostile":
            from tests.bench import hostile_bodies

            results["hostile"] = hostile_bodies.main()
        elif ns.what == "indexer":
            from tests.bench import indexer

            results["indexer"] = indexer.run(ns.live_seconds, ns.rounds, regenerate=ns.regenerate)
        elif ns.what == "payout":
            from tests.bench import payout

            results["payout"] = payout.run()
        else:
            from tests.bench import economy

            results["economy"] = economy.run()
        return _finish(results)
    params = generate.Params().scaled(ns.scale)
    dataset = generate.main(params, regenerate=ns.regenerate, name=ns.database)
    results = {
        "environment": report.environment(),
        "dataset": {**asdict(dataset), "params": asdict(dataset.params)},
    }
    if ns.what in ("listing", "all"):
        from tests.bench import listing

        results["listing"] = listing.run(dataset.database_url, ns.duration, ns.rounds)
    if ns.what in ("search", "all"):
        from tests.bench import search

        results["search"] = search.run(dataset.database_url, ns.duration, ns.rounds)
    if ns.what in ("votes", "all"):
        from tests.bench import votes

        results["votes"] = votes.run(dataset.database_url, ns.duration)
    if ns.what in ("comments", "all"):
        from tests.bench import comments

        results["comments"] = comments.run(dataset.database_url)
    if ns.what in ("rewards", "all"):
        from tests.bench import rewards

        results["rewards"] = rewards.run(dataset.database_url, ns.rounds)
    if ns.what in ("frontend", "all"):
        from tests.bench import frontend

        results["frontend"] = frontend.run(dataset.database_url)
    if ns.what in ("workers", "all"):
        from tests.bench import workers

        results["workers"] = workers.run(dataset.database_url, ns.duration, ns.rounds)
    if ns.what == "all":
        from tests.bench import economy, hostile_bodies, indexer, payout

        results["hostile"] = hostile_bodies.main()
        results["indexer"] = indexer.run(ns.live_seconds)
        results["payout"] = payout.run()
        results["economy"] = economy.run()
    return _finish(results)


def _finish(results: dict[str, Any]) -> int:
    """The host's speed again (it moves during a run), then the results written and shown."""
    results["environment"]["host_loop_s_at_end"] = report.host_loop_seconds()
    path = report.write(results)
    print()
    print(report.table(results))
    print(f"\n(all figures in {path.relative_to(config.PROJECT_ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
