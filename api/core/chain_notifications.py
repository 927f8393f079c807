"""The chain's and the ledger's notifications, live: heard from PostgreSQL, handed to this
worker's subscribers.

The indexer's triggers, the ledger's settle and the beat's reminders write notifications in
their own transactions, in processes that know nothing of Redis or of the API. PostgreSQL
announces each of them when its transaction commits (NOTIFY `agora_notification`, migration
0031), and every API worker listens on one connection of its own, outside the pool: each hears
every announcement once and hands it to its own `notificationAdded` subscribers through the
fan-out (`Fanout.deliver_here`), so no worker republishes to another and none is doubled.

Announcements made while the connection is lost are missed (they stay in the inbox, counted by
`unreadNotifications`); the listener connects again with the service kit's back-off, saying
once that PostgreSQL is lost and once that it is back.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from agora import service
from agora.service import Outage
from agora.settings import Settings
from api.core.pubsub import PubSub

log = logging.getLogger("agora.api")

CHANNEL = "agora_notification"


def _parse(payload: str) -> tuple[int, int] | None:
    user, _, notification = payload.partition(":")
    if not (user.isdigit() and notification.isdigit()):
        return None
    return int(user), int(notification)


async def relay(database_url: str, settings: Settings, pubsub: PubSub) -> None:
    """Until cancelled: hand each notification PostgreSQL announces to its recipient's live
    subscriptions in this worker, across lost connections."""
    outage = Outage("PostgreSQL (the chain notifications listener)", log)
    while True:
        try:
            # The kit's connection: its keepalives tell a listener whose server vanished (no
            # socket closed) that it is lost, where it would otherwise wait for ever.
            conn = await service.connect(
                database_url, settings, name="agora-api-listen", statement_timeout=False
            )
        except (OSError, asyncpg.PostgresError) as error:
            await outage.lost(error)
            continue
        closed = asyncio.Event()

        def lost_connection(_conn: object, closed: asyncio.Event = closed) -> None:
            closed.set()

        def heard(
            _conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
            _pid: int,
            _channel: str,
            payload: object,
        ) -> None:
            parsed = _parse(str(payload))
            if parsed is not None:
                pubsub.notification_heard(user_id=parsed[0], notification_id=parsed[1])

        lost: BaseException
        try:
            conn.add_termination_listener(lost_connection)
            await conn.add_listener(CHANNEL, heard)
            outage.back()
            await closed.wait()
            lost = ConnectionError("its connection closed")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            lost = error
        finally:
            if not conn.is_closed():
                await conn.close(timeout=2)
        await outage.lost(lost)
