"""Settlement: book the mints the operator's sender recorded as mined (TigerBeetle's "post" of a
pending transfer: `earned -> onchain` for each recipient, ledger/journal.py), and mark an epoch
paid once all its batches are, with its notifications in the same transaction.

A reverted mint (`failed`) books nothing: the points stay earned, owed. Safe to run twice or at
once: under the epoch's lock, only unbooked batches. The beat runs it every few seconds, and
`agora ledger close` once more after closing, so a mined mint is booked with the beat down too.
"""

from __future__ import annotations

import logging

import asyncpg

from agora.sql import load
from ledger import journal, mints

log = logging.getLogger("agora.ledger")

queries = load(__file__, "settlement.sql")


async def settle_payouts(conn: asyncpg.Connection) -> int:
    """Book every mint recorded as mined and not booked yet; the number of batches booked."""
    booked = 0
    for row in await conn.fetch(queries.settleable_epochs):
        booked += await _settle_epoch(conn, row["community_id"], row["epoch_number"])
    return booked


async def _settle_epoch(conn: asyncpg.Connection, community_id: int, number: int) -> int:
    async with conn.transaction():
        status = await conn.fetchval(queries.lock_closed_epoch, community_id, number)
        if status != "closed":
            return 0
        payouts = await conn.fetch(queries.mined_payouts, community_id, number)
        await journal.book_paid_mint(
            conn,
            community_id,
            number,
            mints.paid(p["payload"] for p in payouts),
            lambda user: journal.epoch_transfer_id(community_id, number, f"paid:{user}"),
        )
        await conn.execute(
            queries.mark_settled, community_id, number, [p["batch"] for p in payouts]
        )
        paid = await conn.fetchval(queries.mark_paid_if_settled, community_id, number)
        # In the transaction that books it paid: no paid epoch without its notifications.
        await conn.execute(queries.notify_reward_paid, community_id, number)
    if payouts:
        log.info(
            "epoch %d of community %d: %d mined mint batches booked on-chain%s",
            number,
            community_id,
            len(payouts),
            ", the epoch is paid" if paid else "",
        )
    return len(payouts)
