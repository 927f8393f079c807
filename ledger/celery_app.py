"""The ledger's Celery app: Redis broker, late acks, and beat closing due epochs, releasing
those whose review has ended, and booking mined mints.

`agora ledger worker` / `agora ledger beat` build it from the settings with the database and
Redis that `agora` found; `celery -A ledger.celery_app worker` uses the module's `app`, built
from the environment alone.

Late acks: a task is acknowledged when it ends, so a worker killed mid-task (SIGKILL, power
loss) leaves its message to be delivered again once the broker's visibility timeout passes;
every task is idempotent, so the second run is harmless. The visibility timeout must exceed the
longest task, or a slow task would be delivered to a second worker while still running: the
hard time limit is kept below it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import asyncpg
from celery import Celery
from celery.app import trace as celery_trace

from agora.migrate import with_database
from agora.services import LOCAL_POSTGRES_URL, LOCAL_REDIS_URL
from agora.settings import Settings
from ledger import epochs, release, reminders, settlement
from ledger.connection import connect

log = logging.getLogger("agora.ledger")

T = TypeVar("T")
R_co = TypeVar("R_co", covariant=True)

CLOSE_DUE_EPOCHS = "ledger.close_due_epochs"
SETTLE_PAYOUTS = "ledger.settle_payouts"
RELEASE_REVIEWED_EPOCHS = "ledger.release_reviewed_epochs"
REMIND_PROPOSALS_ENDING = "ledger.remind_proposals_ending"


def create_app(settings: Settings) -> Celery:
    settings = dataclasses.replace(
        settings,
        database_url=settings.database_url or with_database(LOCAL_POSTGRES_URL, "agora"),
        redis_url=settings.redis_url or LOCAL_REDIS_URL,
    )
    app = Celery("agora-ledger", broker=settings.redis_url, set_as_current=False)
    visibility = settings.ledger_visibility_timeout_seconds
    app.conf.update(
        task_default_queue=settings.ledger_queue,
        task_acks_late=True,
        # A task whose worker died is not rejected (which could loop on a poison message) but
        # left unacknowledged: the broker delivers it again after the visibility timeout.
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_transport_options={
            "visibility_timeout": visibility,
            # Look for expired unacknowledged messages a tenth of the timeout after they expire
            # (kombu's default looks every 100 s, whatever the timeout).
            "unacked_restore_interval": max(1, min(60, visibility // 10)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        task_time_limit=max(1, visibility - max(1, visibility // 10)),
        task_soft_time_limit=max(1, visibility - max(2, visibility // 5)),
        # Every task of the beat runs once a beat; the inbox's reminders run here too, the beat
        # being the forum's only scheduler.
        beat_schedule={
            name: {
                "task": task,
                "schedule": settings.ledger_beat_seconds,
                # A tick nobody ran in time is dropped: the next one does the same work.
                "options": {"expires": max(1.0, settings.ledger_beat_seconds * 2)},
            }
            for name, task in (
                ("close-due-epochs", CLOSE_DUE_EPOCHS),
                ("release-reviewed-epochs", RELEASE_REVIEWED_EPOCHS),
                ("settle-payouts", SETTLE_PAYOUTS),
                ("remind-proposals-ending", REMIND_PROPOSALS_ENDING),
            )
        },
        worker_hijack_root_logger=False,
    )

    def close_due_epochs(until: str | None = None, community_id: int | None = None) -> int:
        """Close every due epoch (ending open ones at `until`, an ISO time, when given); the
        number this run closed (0 when another run got there first)."""
        end = datetime.fromisoformat(until) if until else None
        return len(_close_due(settings, until=end, community_id=community_id))

    def release_reviewed_epochs(until: str | None = None, community_id: int | None = None) -> int:
        """Release every epoch whose review window has ended (ending reviews at `until`, an ISO
        time, when given): void what the review took back, queue the mints; the number released."""
        end = datetime.fromisoformat(until) if until else None
        return len(
            _run_due(
                settings, release.release_reviewed_epochs, until=end, community_id=community_id
            )
        )

    def settle_payouts() -> int:
        """Book the mints recorded as mined; the number of batches this run booked."""
        return _on_connection(settings, settlement.settle_payouts)

    def remind_proposals_ending() -> int:
        """Remind members who have not voted of votes ending within a day; how many now."""
        written = _on_connection(settings, reminders.remind_proposals_ending)
        if written:
            log.info("%d reminders of votes ending within a day written", written)
        return written

    for name, task in (
        (CLOSE_DUE_EPOCHS, close_due_epochs),
        (RELEASE_REVIEWED_EPOCHS, release_reviewed_epochs),
        (SETTLE_PAYOUTS, settle_payouts),
        (REMIND_PROPOSALS_ENDING, remind_proposals_ending),
    ):
        app.task(
            name=name,
            # This app's own task, not Celery's "shared" kind that every app of the process gets.
            shared=False,
            autoretry_for=(OSError, TimeoutError, asyncpg.PostgresError),
            retry_backoff=True,
            retry_backoff_max=60,
            max_retries=10,
        )(task)
    return app


# Celery's lines for each task: the beat's "Sending due task", the worker's "Received task" and
# "Task … succeeded". With four tasks every few seconds they are the same lines again and again;
# the tasks say themselves when they did something (an epoch closed, released or booked, reminders
# written), and failures and retries still log.
_PER_TASK_LINES = {
    "celery.beat": "Scheduler: Sending due task %s (%s)",
    "celery.worker.strategy": celery_trace.LOG_RECEIVED,
    "celery.app.trace": celery_trace.LOG_SUCCESS,
}


class _DropLine(logging.Filter):
    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != self.template


def quiet_task_logs() -> None:
    """Leaves Celery's per-task lines out of this process's log (and its pool's, forked after)."""
    for name, template in _PER_TASK_LINES.items():
        logging.getLogger(name).addFilter(_DropLine(template))


def _on_connection(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work` on a connection of the ledger's own (ledger/connection.py), closed after it."""

    async def run() -> T:
        assert settings.database_url is not None
        conn = await connect(settings.database_url, settings)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


class _DueStep(Protocol[R_co]):
    """A step over the epochs that are due (`epochs.close_due_epochs`,
    `release.release_reviewed_epochs`): `until` makes them due early, `community_id` limits it
    to one community."""

    def __call__(
        self,
        conn: asyncpg.Connection,
        settings: Settings,
        *,
        until: datetime | None,
        community_id: int | None,
    ) -> Awaitable[R_co]: ...


def _run_due(
    settings: Settings, step: _DueStep[T], *, until: datetime | None, community_id: int | None
) -> T:
    return _on_connection(
        settings, lambda conn: step(conn, settings, until=until, community_id=community_id)
    )


def _close_due(
    settings: Settings, *, until: datetime | None, community_id: int | None
) -> list[epochs.Closed]:
    """`epochs.close_due_epochs` on a connection of the ledger's own, with a second one to score
    half the due communities at the same time: the scoring's per-voter steps take one process
    per connection (`epochs.score_epochs`), and the votes it scores are committed (the close's
    grace has passed), so a connection of its own sees them all."""
    database_url = settings.database_url
    assert database_url is not None

    async def connect_scorer() -> asyncpg.Connection:
        return await connect(database_url, settings)

    close = functools.partial(epochs.close_due_epochs, connect_scorer=connect_scorer)
    return _run_due(settings, close, until=until, community_id=community_id)


def check_now(settings: Settings, community_id: int | None = None) -> list[str]:
    """`ledger.check.check` against the settings' database and chain (if any)."""
    from agora.chain import connect as connect_chain
    from ledger.check import check

    w3 = connect_chain(settings.chain_rpc_url) if settings.chain_rpc_url else None
    return _on_connection(settings, lambda conn: check(conn, w3, community_id))


def close_now(
    settings: Settings, *, every_open: bool, community_id: int | None
) -> list[epochs.Closed]:
    """Close due epochs in this process, without a worker; with `every_open`, open epochs end
    now and close too."""
    until = datetime.now(UTC) if every_open else None
    return _close_due(settings, until=until, community_id=community_id)


def settle_now(settings: Settings) -> int:
    """Book the mints the sender recorded as mined, in this process (the beat may be down); the
    number of batches booked."""
    return _on_connection(settings, settlement.settle_payouts)


def release_now(
    settings: Settings, *, every_review: bool, community_id: int | None
) -> list[release.Released]:
    """Release epochs whose review has ended, in this process; with `every_review`, reviews end
    now and release too."""
    until = datetime.now(UTC) if every_review else None
    return _run_due(
        settings, release.release_reviewed_epochs, until=until, community_id=community_id
    )


app = create_app(Settings.from_env())
