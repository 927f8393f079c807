"""The `agora` command: one subcommand per job.

agora up        everything: database, cache, chain, contracts, migrations, sender, API and
                frontend, and the ledger's Celery worker and beat
agora migrate   apply the SQL migrations
agora serve     the API (and the built frontend) on AGORA_HOST:AGORA_PORT, in AGORA_WORKERS
                processes (default: one per core)
agora index     follow the chain into the mirror (the indexer)
agora seed      demo communities, posts and comments, then governance and rewards alive
                (cli/demo.py: needs the chain of `agora up`)
agora send      the operator's sender: sends the recorded intents on-chain (sender/)
agora down      stop the embedded PostgreSQL and Redis of the data folder
agora ledger    the token economy: `worker` and `beat` (Celery), `close` (close due epochs now
                and book the mints the sender mined),
                `release` (mint epochs whose review ended; `--now`: end reviews now),
                `check` (the books balance and match the chain)

`up` stops the embedded servers it started when it stops; the other commands leave them running,
as a system PostgreSQL or Redis would be (`down` stops them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator

# Each command imports what it runs only when it runs (below): `agora migrate` should not pay for
# web3 and uvicorn, nor `agora chain` for the API.
from agora import services
from agora.migrate import ensure_database, migrate_up
from agora.runtime import restore_recursion_limit
from agora.settings import Settings

log = logging.getLogger("agora")

DATABASE_NAME = "agora"


async def _database(settings: Settings, postgres: services.ResolvedService) -> str:
    """The URL of Agora's database on the server found, created if it is missing."""
    if settings.database_url:
        return postgres.url
    database_url = await ensure_database(postgres.url, DATABASE_NAME)
    log.info("database: %s (created if it was missing)", DATABASE_NAME)
    return database_url


async def _migrate(settings: Settings, postgres: services.ResolvedService) -> str:
    import asyncpg

    database_url = await _database(settings, postgres)
    conn = await asyncpg.connect(database_url)
    try:
        applied = await migrate_up(conn)
    finally:
        await conn.close()
    log.info("migrations: %s", ", ".join(applied) if applied else "up to date")
    return database_url


@contextlib.contextmanager
def migrated(settings: Settings, *, stop_started: bool) -> Iterator[tuple[str, str]]:
    """The URLs of the migrated database and of Redis, found or started (see `agora.services`);
    on the way out, stops the embedded servers started here if `stop_started`, and logs how to
    stop those left running."""
    found = services.resolve_all(settings.database_url, settings.redis_url, settings.data_dir)
    try:
        yield asyncio.run(_migrate(settings, found[0])), found[1].url
    finally:
        services.release(found, settings.data_dir, stop_started=stop_started)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    with migrated(settings, stop_started=False):
        pass


def _serve(settings: Settings, database_url: str, redis_url: str) -> None:
    import uvicorn

    from api.server.app import create_app, server_options

    log.info(
        "Agora is at http://%s:%d/ (GraphQL at /graphql), %d worker%s",
        settings.host,
        settings.port,
        settings.workers,
        "" if settings.workers == 1 else "s",
    )
    if settings.workers > 1:
        from cli.workers import serve_workers

        serve_workers(settings, database_url, redis_url)
        return
    app = create_app(settings, database_url=database_url, redis_url=redis_url)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
        **server_options(settings),
    )


def _exit_on_sigterm() -> None:
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again; with Python's
    # default handler that would end the process before its clean-up (stopping what was started
    # here, or saying what keeps running) is done.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    _exit_on_sigterm()
    with migrated(settings, stop_started=False) as (database_url, redis_url):
        _serve(settings, database_url, redis_url)


def cmd_index(settings: Settings, args: argparse.Namespace) -> None:
    from indexer import run

    _exit_on_sigterm()
    with migrated(settings, stop_started=False) as (database_url, _):
        asyncio.run(run(settings, database_url))


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    from api.seed import seed
    from cli import demo

    with migrated(settings, stop_started=False) as (database_url, redis_url):
        if asyncio.run(demo.forum_seeded(database_url)):
            demo.say("the forum's demo data is there already")
        else:
            asyncio.run(seed(database_url))
            demo.say("the forum's demo communities, posts, comments and votes are added")
        # Then governance and the economy (cli/demo.py), which need the chain: without it the
        # forum's part stays and the command says what to run.
        if not demo.run(settings, database_url, redis_url):
            sys.exit(1)


def cmd_send(settings: Settings, args: argparse.Namespace) -> None:
    from sender import run

    _exit_on_sigterm()
    with migrated(settings, stop_started=False) as (database_url, _):
        asyncio.run(run(settings, database_url))


def cmd_up(settings: Settings, args: argparse.Namespace) -> None:
    from cli.stack import INDEXER, LEDGER, SENDER, chain, services

    _exit_on_sigterm()
    with (
        migrated(settings, stop_started=True) as (database_url, redis_url),
        chain(settings) as with_chain,
        services(with_chain, database_url, redis_url, SENDER | INDEXER | LEDGER),
    ):
        _serve(with_chain, database_url, redis_url)


def cmd_down(settings: Settings, args: argparse.Namespace) -> None:
    if services.stop_embedded_postgres(settings.data_dir):
        log.info("stopped the embedded PostgreSQL")
    if services.stop_embedded_redis(settings.data_dir):
        log.info("stopped the embedded Redis")


def cmd_chain(settings: Settings, args: argparse.Namespace) -> None:
    from governance.anvil import main as anvil_main

    sys.exit(anvil_main([]))


def cmd_deploy(settings: Settings, args: argparse.Namespace) -> None:
    from cli.stack import chain

    with chain(settings):
        pass


def cmd_gas_report(settings: Settings, args: argparse.Namespace) -> None:
    from governance.gas_report import main as gas_main

    sys.exit(gas_main())


def cmd_ledger(settings: Settings, args: argparse.Namespace) -> None:
    import dataclasses

    from ledger.celery_app import create_app, quiet_task_logs

    if args.action in ("worker", "beat"):
        _exit_on_sigterm()
        if not args.log_tasks:
            quiet_task_logs()
    with migrated(settings, stop_started=False) as (database_url, redis_url):
        settings = dataclasses.replace(settings, database_url=database_url, redis_url=redis_url)
        app = create_app(settings)
        if args.action == "worker":
            log.info(
                "ledger worker: queue %s, %d processes", settings.ledger_queue, args.concurrency
            )
            app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}"])
        elif args.action == "beat":
            log.info(
                "ledger beat: every %g s on queue %s",
                settings.ledger_beat_seconds,
                settings.ledger_queue,
            )
            schedule = settings.data_dir / "celerybeat-schedule"
            schedule.parent.mkdir(parents=True, exist_ok=True)
            app.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])
        elif args.action == "check":
            from ledger.celery_app import check_now

            problems = check_now(settings, args.community)
            for problem in problems:
                log.error("ledger check: %s", problem)
            if problems:
                sys.exit(1)
            log.info(
                "ledger check: every transfer balances, every epoch adds up%s",
                (
                    ", the on-chain totals match the tokens"
                    if settings.chain_rpc_url
                    else " (no CHAIN_RPC_URL: on-chain totals not compared)"
                ),
            )
        elif args.action == "release":
            from ledger.celery_app import release_now

            for released in release_now(
                settings, every_review=args.now, community_id=args.community
            ):
                log.info(
                    "released epoch %d of community %d: %d base units to mint, %d voided, root %s",
                    released.number,
                    released.community_id,
                    released.distributed,
                    released.voided,
                    "0x" + released.root.hex() if released.root else "none",
                )
        else:
            from ledger.celery_app import close_now, settle_now

            for closed in close_now(settings, every_open=args.now, community_id=args.community):
                log.info(
                    "closed epoch %d of community %d: %d of %d base units to %d authors",
                    closed.number,
                    closed.community_id,
                    closed.distributed,
                    closed.emission,
                    closed.recipients,
                )
            # What the sender mined meanwhile is booked here too: with the beat down, an epoch
            # closed by this command would otherwise stay unpaid although its mint is mined.
            if booked := settle_now(settings):
                log.info("booked %d mined mint batches", booked)


def _ledger_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["worker", "beat", "close", "release", "check"])
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (worker)")
    parser.add_argument(
        "--now",
        action="store_true",
        help="close: end every open epoch now, not only due ones; release: end every review now",
    )
    parser.add_argument(
        "--community", type=int, default=None, help="close, check: only this community"
    )
    parser.add_argument(
        "--log-tasks",
        action="store_true",
        help="worker, beat: log every task sent, received and finished (Celery's own lines)",
    )


COMMANDS: dict[str, tuple[Callable[[Settings, argparse.Namespace], None], str]] = {
    "up": (cmd_up, "run the whole system"),
    "migrate": (cmd_migrate, "apply the SQL migrations"),
    "serve": (cmd_serve, "serve the API and the built frontend"),
    "index": (cmd_index, "follow the chain into the mirror (the indexer)"),
    "seed": (cmd_seed, "add demo data"),
    "send": (cmd_send, "send the operator's recorded transactions on-chain (one sender)"),
    "down": (cmd_down, "stop the embedded PostgreSQL and Redis of the data folder"),
    "chain": (cmd_chain, "run a local anvil chain"),
    "deploy": (cmd_deploy, "deploy the contracts to the chain (starting anvil if none)"),
    "gas-report": (cmd_gas_report, "print the gas table of the contracts, measured on anvil"),
    "ledger": (cmd_ledger, "the token economy: worker, beat, close, release, check"),
}

ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {"ledger": _ledger_arguments}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="agora", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name in ARGUMENTS:
            ARGUMENTS[name](command)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    restore_recursion_limit()  # before any command runs, in every process `agora` starts
    COMMANDS[args.command][0](Settings.from_env(), args)


if __name__ == "__main__":
    main(sys.argv[1:])
