"""The indexer's only SQL: the checkpoint, the unfinalized blocks, the mirror's rows, rollbacks."""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg

from agora import service
from agora.settings import Settings
from agora.sql import load
from indexer.events import Rows
from indexer.node import Header

Q = load(__file__)

# The advisory lock that makes one `agora index` the only writer of the mirror.
LOCK_KEY = 0x1D_E7E2

_WHERE = ("block_number", "tx_hash", "log_index", "block_timestamp")

# Each mirror table, in the order rows are written: its staging table (create_stage_tables), the
# columns of its rows (as `indexer.events` builds them) and the upsert of the staged rows.
_TABLES = {
    "communities": (
        "stage_communities",
        ("community_id", "name", "token", "governor", "creator", *_WHERE, "name_raw"),
        Q.merge_communities,
    ),
    "moderator_events": (
        "stage_moderator_events",
        ("community_id", "account", "elected", *_WHERE),
        Q.merge_moderator_events,
    ),
    "proposals": (
        "stage_proposals",
        (
            "governor",
            "proposal_id",
            "proposer",
            "description",
            "targets",
            "values",
            "signatures",
            "calldatas",
            "vote_start",
            "vote_end",
            *_WHERE,
            "description_raw",
            "description_hash",
            "signatures_raw",
        ),
        Q.merge_proposals,
    ),
    "proposal_events": (
        "stage_proposal_events",
        ("governor", "proposal_id", "kind", "eta_seconds", *_WHERE),
        Q.merge_proposal_events,
    ),
    "votes": (
        "stage_votes",
        (
            "governor",
            "proposal_id",
            "voter",
            "support",
            "weight",
            "reason",
            "params",
            *_WHERE,
            "reason_raw",
        ),
        Q.merge_votes,
    ),
    "transfers": (
        "stage_transfers",
        ("token", "sender", "recipient", "value", *_WHERE),
        Q.merge_transfers,
    ),
    "delegate_changes": (
        "stage_delegate_changes",
        ("token", "delegator", "from_delegate", "to_delegate", *_WHERE),
        Q.merge_delegate_changes,
    ),
    "delegate_votes": (
        "stage_delegate_votes",
        ("token", "delegate", "previous_votes", "new_votes", *_WHERE),
        Q.merge_delegate_votes,
    ),
    "governor_settings": (
        "stage_governor_settings",
        ("governor", "name", "value", *_WHERE),
        Q.merge_governor_settings,
    ),
    "tips": (
        "stage_tips",
        ("token", "tipper", "recipient", "amount", "item_ref", *_WHERE),
        Q.merge_tips,
    ),
    "undecodable_logs": (
        "stage_undecodable_logs",
        ("address", "event", "topics", "data", "error", *_WHERE),
        Q.merge_undecodable_logs,
    ),
}


@dataclass(frozen=True, slots=True)
class Checkpoint:
    chain_id: int
    factory: bytes
    block_number: int
    block_hash: bytes
    block_timestamp: int


async def connect(database_url: str, settings: Settings | None = None) -> asyncpg.Connection:
    # A connection of its own, not the API's pool: it holds the advisory lock for as long as it
    # lives, and no statement timeout should end a large range's transaction.
    conn = await service.connect(
        database_url, settings or Settings(), name="agora-indexer", statement_timeout=False
    )
    # Binary, so that COPY (binary only in asyncpg) takes the proposals' JSON columns too: jsonb's
    # binary form is a version byte (1) and the text.
    await conn.set_type_codec(
        "jsonb",
        encoder=_jsonb_encode,
        decoder=_jsonb_decode,
        schema="pg_catalog",
        format="binary",
    )
    await conn.execute(Q.create_stage_tables)
    return conn


def _jsonb_encode(value: object) -> bytes:
    return b"\x01" + json.dumps(value).encode()


def _jsonb_decode(data: bytes) -> object:
    return json.loads(data[1:])


async def get_checkpoint(conn: asyncpg.Connection) -> Checkpoint | None:
    row = await conn.fetchrow(Q.get_state)
    if row is None:
        return None
    return Checkpoint(
        chain_id=row["chain_id"],
        factory=bytes(row["factory"]),
        block_number=row["block_number"],
        block_hash=bytes(row["block_hash"]),
        block_timestamp=row["block_timestamp"],
    )


async def empty(conn: asyncpg.Connection) -> None:
    """Forgets the whole mirror and its checkpoint: every mirrored row comes from a block
    numbered 0 or more, so it is a rollback past block -1."""
    async with conn.transaction():
        await conn.execute(Q.rollback_after, -1)
        await conn.execute(Q.forget_checkpoint)


async def reset(conn: asyncpg.Connection, checkpoint: Checkpoint, head: int) -> None:
    """Empties the mirror and starts it again at `checkpoint` (a block before the deployment)."""
    async with conn.transaction():
        await empty(conn)
        await _save(conn, checkpoint, head)
        await conn.execute(
            Q.upsert_block,
            checkpoint.block_number,
            checkpoint.block_hash,
            b"",
            checkpoint.block_timestamp,
        )


async def watched(conn: asyncpg.Connection) -> tuple[list[bytes], list[bytes]]:
    """The tokens and governors of the communities mirrored so far."""
    rows = await conn.fetch(Q.watched_contracts)
    return [bytes(r["token"]) for r in rows], [bytes(r["governor"]) for r in rows]


async def apply_range(
    conn: asyncpg.Connection,
    rows: Rows,
    headers: list[Header],
    checkpoint: Checkpoint,
    head: int,
    keep_from: int,
) -> None:
    """Writes a block range's rows, its blocks and the new checkpoint in one transaction, and
    forgets the blocks below `keep_from` (final: no reorg can reach them).

    The rows go in by binary COPY into the connection's staging tables, then one upsert per
    table: per-row statements cost most of a catch-up's time (issue 9's benchmark)."""
    async with conn.transaction():
        for table, (stage, columns, merge) in _TABLES.items():
            table_rows = rows.by_table.get(table)
            if table_rows:
                await conn.copy_records_to_table(stage, records=table_rows, columns=columns)
                await conn.execute(merge)
        if headers:
            await conn.executemany(
                Q.upsert_block,
                [(h.number, h.hash, h.parent_hash, h.timestamp) for h in headers],
            )
        await _save(conn, checkpoint, head)
        await conn.execute(Q.prune_blocks, keep_from)


async def unfinalized_blocks(conn: asyncpg.Connection, at_most: int) -> list[Header]:
    """The blocks kept, newest first."""
    rows = await conn.fetch(Q.unfinalized_blocks, at_most)
    return [
        Header(
            number=r["number"],
            hash=bytes(r["hash"]),
            parent_hash=bytes(r["parent_hash"]),
            timestamp=r["timestamp"],
        )
        for r in rows
    ]


async def roll_back(conn: asyncpg.Connection, ancestor: Checkpoint, head: int) -> None:
    """Undoes everything derived from blocks after `ancestor` and moves the checkpoint there."""
    async with conn.transaction():
        await conn.execute(Q.rollback_after, ancestor.block_number)
        await _save(conn, ancestor, head)


async def _save(conn: asyncpg.Connection, checkpoint: Checkpoint, head: int) -> None:
    await conn.execute(
        Q.set_state,
        checkpoint.chain_id,
        checkpoint.factory,
        checkpoint.block_number,
        checkpoint.block_hash,
        checkpoint.block_timestamp,
        head,
    )
