"""SQL of governance: reads of the indexer's mirror only."""

from __future__ import annotations

from typing import Any

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


async def get_chain_community(db: Executor, *, community_id: bytes) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_chain_community, community_id)


async def forum_community_exists(db: Executor, *, name: str) -> bool:
    found: bool = await db.fetchval(queries.forum_community_exists, name)
    return found


async def get_voting_power(db: Executor, *, token: bytes, account: bytes) -> int:
    return int(await db.fetchval(queries.get_voting_power, token, account))


async def is_chain_moderator(db: Executor, *, community_id: bytes, account: bytes) -> bool:
    found: bool = await db.fetchval(queries.is_chain_moderator, community_id, account)
    return found


async def proposal_exists(db: Executor, *, governor: bytes, proposal_id: int) -> bool:
    found: bool = await db.fetchval(queries.proposal_exists, governor, proposal_id)
    return found


async def get_proposals_of_id(
    db: Executor, *, governor: bytes | None, proposal_id: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_proposal_of_id, governor, proposal_id)


async def get_votes_at(db: Executor, *, token: bytes, account: bytes, timepoint: int) -> int:
    return int(await db.fetchval(queries.get_votes_at, token, account, timepoint))


async def has_mirrored_vote(
    db: Executor, *, governor: bytes, proposal_id: int, voter: bytes
) -> bool:
    found: bool = await db.fetchval(queries.has_mirrored_vote, governor, proposal_id, voter)
    return found


async def record_vote_relay(
    db: Executor, *, key_prefix: str, payload: dict[str, Any]
) -> asyncpg.Record | None:
    """The new intent's row (its key `key_prefix#<id>`); None if the voter has an unsettled
    ballot at the same governor and nonce."""
    return await db.fetchrow(queries.record_vote_relay, key_prefix, payload)


async def get_live_vote_relay(
    db: Executor, *, governor: str, proposal_id: int, voter: str
) -> asyncpg.Record | None:
    return await db.fetchrow(
        queries.get_live_vote_relay, governor.lower(), str(proposal_id), voter.lower()
    )


async def get_unsettled_ballot_at_nonce(
    db: Executor, *, governor: str, voter: str, nonce: int
) -> asyncpg.Record | None:
    return await db.fetchrow(
        queries.get_unsettled_ballot_at_nonce, governor.lower(), voter.lower(), str(nonce)
    )


async def get_vote_relay_by_id(db: Executor, *, relay_id: int) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_vote_relay_by_id, relay_id)


async def list_proposals_changed(
    db: Executor, *, governor: bytes, blocks: tuple[int, int], times: tuple[int, int]
) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_proposals_changed, governor, *blocks, *times)


async def list_open_proposals(db: Executor, *, governor: bytes) -> list[asyncpg.Record]:
    return await db.fetch(queries.list_open_proposals, governor)


async def get_proposal_events(
    db: Executor, *, governor: bytes, proposal_id: int
) -> list[asyncpg.Record]:
    return await db.fetch(queries.get_proposal_events, governor, proposal_id)


async def get_votes_at_snapshot(
    db: Executor, *, governor: bytes, account: bytes, timepoint: int
) -> int:
    return int(await db.fetchval(queries.get_votes_at_snapshot, governor, account, timepoint))


async def list_delegates(
    db: Executor,
    *,
    token: bytes,
    governor: bytes,
    community_id: int,
    after: tuple[int, bytes] | None,
    limit: int,
) -> list[asyncpg.Record]:
    votes, delegate = after or (None, None)
    return await db.fetch(
        queries.list_delegates, token, governor, votes, delegate, limit, community_id
    )


async def get_delegate(
    db: Executor, *, token: bytes, governor: bytes, account: bytes, community_id: int
) -> asyncpg.Record:
    row = await db.fetchrow(queries.get_delegate, token, governor, account, community_id)
    assert row is not None  # an aggregate's row: one whatever the account
    return row


async def upsert_delegate_statement(
    db: Executor, *, community_id: int, user_id: int, statement: str, statement_html: str
) -> None:
    await db.execute(
        queries.upsert_delegate_statement, community_id, user_id, statement, statement_html
    )


async def get_forum_community(db: Executor, *, name: str) -> asyncpg.Record | None:
    return await db.fetchrow(queries.get_forum_community, name)
