"""The loaders of governance (see `api.core.loaders`)."""

from __future__ import annotations

import asyncpg

from api.core.loaders import LoaderKey, Loaders, in_order
from api.governance import repository


async def _load_governance(loaders: Loaders, keys: list[bytes]) -> list[asyncpg.Record | None]:
    rows = await repository.get_governance_of_communities(loaders.pool, community_ids=keys)
    return in_order(rows, keys, lambda row: bytes(row["community_id"]))


# A community's token, governor, settings and supply, by its on-chain id (keccak of its name);
# None until the indexer has mirrored its creation.
GOVERNANCE: LoaderKey[bytes, asyncpg.Record | None] = LoaderKey("governance", _load_governance)


async def _load_users_by_address(loaders: Loaders, keys: list[str]) -> list[asyncpg.Record | None]:
    rows = await repository.get_users_by_addresses(loaders.pool, addresses=keys)
    return in_order(rows, keys, lambda row: row["address"])


# The forum account of an address the chain names (lower-case '0x…'); None if it never signed in.
USER_BY_ADDRESS: LoaderKey[str, asyncpg.Record | None] = LoaderKey(
    "user_by_address", _load_users_by_address
)


async def _load_votes(
    loaders: Loaders, keys: list[tuple[bytes, int, bytes]]
) -> list[asyncpg.Record | None]:
    rows = await repository.get_votes_of_voters(
        loaders.pool,
        governors=[governor for governor, _, _ in keys],
        proposal_ids=[proposal_id for _, proposal_id, _ in keys],
        voters=[voter for _, _, voter in keys],
    )
    # Each row names its key by position (`ord`, from 1).
    return in_order(rows, range(1, len(keys) + 1), lambda row: row["ord"])


# A voter's vote on a proposal, keyed by (governor, proposal id, voter); None if not cast. A
# page of proposals asks each one's `viewerVote` in one query.
VOTE: LoaderKey[tuple[bytes, int, bytes], asyncpg.Record | None] = LoaderKey("vote", _load_votes)
