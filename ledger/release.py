"""Releasing reward epochs from their review: once an epoch's review window has passed, void the
lines the review took back and queue the mint of the rest (ledger/mints.py), with the merkle root
of what is minted, in one transaction per epoch.

Running it twice, or in two workers at once, is harmless: each epoch is released under its row
lock and only while still in review, and every row it writes has a key derived from the epoch
(the transfers' ids, the outbox's dedupe keys).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg
from eth_utils import to_checksum_address

from agora.settings import Settings
from agora.sql import load
from ledger import journal, merkle, mints

log = logging.getLogger("agora.ledger")

queries = load(__file__, "release.sql")


@dataclass(frozen=True, slots=True)
class Released:
    community_id: int
    number: int
    distributed: int
    voided: int
    root: bytes | None


# The parameters of epochs.close_due_epochs, by design (deliberate: both are steps over due
# epochs that the ledger's tasks and commands run alike, celery_app._DueStep).
async def release_reviewed_epochs(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    until: datetime | None = None,
    community_id: int | None = None,
) -> list[Released]:
    """Release every epoch whose review window has ended: void what the review took back, then
    queue the mints of the rest. With `until`, reviews end at that instant (operator's lever)."""
    if until is not None:
        await conn.execute(queries.end_reviews_at, until, community_id)
    released = []
    for row in await conn.fetch(queries.reviewed_epochs, community_id):
        result = await release_epoch(conn, settings, row["community_id"], row["number"])
        if result is not None:
            released.append(result)
    return released


async def release_epoch(
    conn: asyncpg.Connection, settings: Settings, community_id: int, number: int
) -> Released | None:
    """Release one epoch if it is still in review; None when another run released it first."""
    async with conn.transaction():
        epoch = await conn.fetchrow(queries.lock_reviewed_epoch, community_id, number)
        if epoch is None or epoch["status"] != "review":
            return None
        voids = await conn.fetch(
            queries.lines_to_void, community_id, number, epoch["review_ends_at"], epoch["closed_at"]
        )
        await _void(conn, community_id, number, voids)
        minted: dict[int, tuple[str, int]] = {
            r["author_id"]: (str(to_checksum_address(r["address"])), int(r["amount"]))
            for r in await conn.fetch(queries.minted_amounts, community_id, number)
        }
        distributed = sum(amount for _, amount in minted.values())
        root = merkle.root(list(minted.values()))
        await mints.queue(conn, settings, community_id, number, minted, root)
        await conn.execute(
            queries.release_epoch,
            community_id,
            number,
            "closed" if minted else "paid",
            Decimal(distributed),
            Decimal(int(epoch["emission"]) - distributed),
            len(minted),
            root,
        )
    voided = sum(int(v["amount"]) for v in voids)
    log.info(
        "epoch %d of community %d released: %d base units to %d authors, %d voided in review",
        number,
        community_id,
        distributed,
        len(minted),
        voided,
    )
    return Released(community_id, number, distributed, voided, root)


async def _void(
    conn: asyncpg.Connection, community_id: int, number: int, voids: list[asyncpg.Record]
) -> None:
    """Each voided line's amount back from its author's earned account to the pool (a new
    transfer, as the books never change one), and the line marked voided."""
    if not voids:
        return
    authors = sorted({v["author_id"] for v in voids})
    accounts = await journal.accounts_of(conn, community_id, authors)
    await journal.post(
        conn,
        community_id,
        "void",
        number,
        [
            journal.Transfer(
                journal.epoch_transfer_id(
                    community_id,
                    number,
                    f"void:post:{v['post_id']}"
                    if v["post_id"] is not None
                    else f"void:comment:{v['comment_id']}",
                ),
                accounts["earned", v["author_id"]],
                accounts["pool", None],
                int(v["amount"]),
            )
            for v in voids
            if v["amount"] > 0
        ],
    )
    await conn.execute(
        queries.void_lines,
        community_id,
        number,
        [v["post_id"] for v in voids],
        [v["comment_id"] for v in voids],
        [v["reason"] for v in voids],
    )
