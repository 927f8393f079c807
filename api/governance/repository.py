"""SQL of governance: reads of the indexer's mirror only."""

from __future__ import annotations

import asyncpg

from agora import sql
from agora.db import Executor

queries = sql.load(__file__)


async def get_governance_of_communities(
    db: Executor, *, community_ids: list[bytes]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_governance_of_communities, community_ids)


async def list_proposals(
    db: Executor,
    *,
    governor: bytes,
    state: str | None,
    after: tuple[int, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    block, log_index = after or (None, None)
    return await db.fetch(queries.list_proposals, governor, state, block, log_index, limit)


async def get_proposal(db: Executor, *, governor: bytes, proposal_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_proposal, governor, proposal_id)


async def list_votes(
    db: Executor,
    *,
    governor: bytes,
    proposal_id: int,
    after: tuple[int, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    block, log_index = after or (None, None)
    return await db.fetch(queries.list_votes, governor, proposal_id, block, log_index, limit)


async def get_indexer_state(db: Executor) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_indexer_state)


async def get_users_by_addresses(db: Executor, *, addresses: list[str]) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_users_by_addresses, addresses)


async def get_votes_of_voters(
    db: Executor, *, governors: list[bytes], proposal_ids: list[int], voters: list[bytes]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_votes_of_voters, governors, proposal_ids, voters)
