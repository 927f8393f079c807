"""Query fields of governance that need no community: `indexer`. (`Query.proposal` builds its
proposal's Community, so it is a field of the communities domain, which sits above this one.)"""

from __future__ import annotations

import strawberry

from api.core.types import Info
from api.governance import repository
from api.governance.types import IndexerStatus


async def indexer(info: Info) -> IndexerStatus:
    """Where the indexer is, as it recorded it (a read never asks the chain)."""
    row = await repository.get_indexer_state(info.context.pool)
    if row is None:
        return IndexerStatus(chain_id=None, head_block=None, indexed_block=None, lag_blocks=None)
    return IndexerStatus(
        chain_id=row["chain_id"],
        head_block=row["head_block"],
        indexed_block=row["block_number"],
        lag_blocks=max(row["head_block"] - row["block_number"], 0),
    )


@strawberry.type
class GovernanceQuery:
    indexer = strawberry.field(resolver=indexer)
