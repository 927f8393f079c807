"""The outbox's loop: the next unsettled intent, read through the intent table and taken a step
(sent if pending, reconciled if sent), or backing off after an error."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import asyncpg

from agora.service import database_lost
from governance.intents import KINDS, CreateCommunity, Intent, MintEpoch
from sender.broadcast import Broadcaster
from sender.operator import ChainUnreachable, Operator, log, queries
from sender.reconcile import Reconciler
from sender.replace import Replacer

# An intent that raised an unexpected error is tried again after a delay doubling from 1 s up to
# a minute, and stepped over meanwhile when nonce order allows (see `Sender.step`).
INTENT_BACKOFF_START_SECONDS = 1.0
INTENT_BACKOFF_CAP_SECONDS = 60.0


class Unsendable(Exception):
    """The intent cannot be sent as it stands; the message says why."""


class NotYet(Exception):
    """The intent waits for another one to be settled first; the message says which."""


@dataclass(slots=True)
class Deferral:
    """An intent backing off after an error: not taken again before `until` (monotonic)."""

    until: float
    delay: float
    sent: bool


class Sender:
    """Sends the outbox's intents as `operator`, one at a time in id order."""

    def __init__(self, operator: Operator) -> None:
        self.op = operator
        self.broadcaster = Broadcaster(operator)
        self.replacer = Replacer(operator, self.broadcaster)
        self.reconciler = Reconciler(operator, self.broadcaster, self.replacer)
        self.wake = asyncio.Event()
        # Intents backing off after an error, by id (in memory: a restart tries them at once).
        self.deferred: dict[int, Deferral] = {}

    def notified(self, *args: object) -> None:
        self.wake.set()

    async def run_forever(self) -> None:
        while True:
            # Cleared before the read: an intent recorded after it wakes the wait below.
            self.wake.clear()
            try:
                if not await self.step():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self._idle_seconds())
            except ChainUnreachable as error:
                await self.op.chain.lost(error)

    def _idle_seconds(self) -> float:
        """How long to wait for a notification: until the next poll, or the first deferral's
        end if sooner."""
        now = time.monotonic()
        ends = [d.until - now for d in self.deferred.values() if d.until > now]
        return min([self.op.settings.sender_poll_seconds, *ends])

    async def step(self) -> bool:
        """Takes the next intent one step or more; False when there is none to take now.

        Raises `ChainUnreachable` when the chain does not answer (the intent stays where it is
        and is resumed from there), and the database's connection errors (`run` connects
        again). Any other error is recorded on the intent (`error`, `attempts`), which backs
        off (`INTENT_BACKOFF_*`). Meanwhile the intents after it go on if it is pending: it has
        no nonce yet, and the next one signed takes the chain's next nonce, so no gap is left.
        If it is sent, nothing else is signed until it is settled: its nonce comes first, and a
        transaction signed after it could not be mined before it anyway.
        """
        now = time.monotonic()
        if any(d.sent and d.until > now for d in self.deferred.values()):
            return False
        waiting = [id_ for id_, deferral in self.deferred.items() if deferral.until > now]
        row = await self.op.db.fetchrow(queries.next_unsettled, waiting)
        if row is None:
            return False
        try:
            await self.settle(row)
        except ChainUnreachable:
            raise
        except Exception as error:
            if database_lost(error):
                raise
            await self._defer(row, error)
        else:
            self.deferred.pop(row["id"], None)
            self.op.chain.back()
        return True

    async def _defer(self, row: asyncpg.Record, error: Exception) -> None:
        previous = self.deferred.get(row["id"])
        delay = (
            min(previous.delay * 2, INTENT_BACKOFF_CAP_SECONDS)
            if previous is not None
            else INTENT_BACKOFF_START_SECONDS
        )
        self.deferred[row["id"]] = Deferral(
            time.monotonic() + delay, delay, sent=row["status"] == "sent"
        )
        message = str(error) if isinstance(error, NotYet) else f"{type(error).__name__}: {error}"
        await self.op.db.execute(queries.record_error, row["id"], message)
        if isinstance(error, NotYet):
            log.info("%s: %s; trying again in %.0f s", row["dedupe_key"], message, delay)
        else:
            log.error(
                "%s could not be taken a step (%s); trying again in %.0f s%s",
                row["dedupe_key"],
                message,
                delay,
                "" if row["status"] == "sent" else ", the next intents meanwhile",
                exc_info=error,
            )

    async def settle(self, row: asyncpg.Record) -> None:
        """Takes the intent `row` one step or more towards mined or failed."""
        try:
            intent = await self._intent(row)
        except Unsendable as error:
            if row["status"] == "sent":
                # Its transaction may yet be mined: never marked failed without the chain.
                raise RuntimeError(f"a sent intent can no longer be read: {error}") from error
            await self.broadcaster.fail(row, str(error), None)
            return
        if row["status"] == "sent":
            await self.reconciler.resolve(row, intent)
        else:
            await self.broadcaster.send(row, intent)

    async def _intent(self, row: asyncpg.Record) -> Intent:
        """The intent `row` records, read through the table of kinds."""
        kind: str = row["kind"]
        declared = KINDS.get(kind)
        if declared is None:
            raise Unsendable(f"the sender does not send {kind} intents yet")
        try:
            intent = declared.from_payload(row["payload"])
        except (KeyError, TypeError, ValueError) as error:
            raise Unsendable(f"malformed {kind} payload: {error!r}") from error
        if isinstance(intent, MintEpoch) and intent.token is None:
            if intent.community_id is None:
                raise Unsendable(f"malformed {kind} payload: neither a token nor a community")
            return intent.with_token(await self._community_token(intent.community_id))
        return intent

    async def _community_token(self, community: int) -> str:
        creation = await self.op.db.fetchrow(
            queries.get_community_creation, CreateCommunity.key_of(community)
        )
        if creation is not None and creation["token"] is not None:
            return str(creation["token"])
        if creation is not None and creation["status"] in ("pending", "sent"):
            # Stepped over after an error: the epoch waits for it rather than failing.
            raise NotYet(f"waiting for the creation of community {community}")
        raise Unsendable(f"community {community} has no token on-chain (its creation is not mined)")
