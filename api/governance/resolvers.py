"""Query fields of governance that need no community: `indexer`, `explorerUrl`.
(`Query.proposal` builds its proposal's Community, so it is a field of the communities domain,
which sits above this one.)"""

from __future__ import annotations

import strawberry

from api.core.types import Info
from api.governance import chain, repository
from api.governance.types import IndexerStatus, moment_of


async def indexer(info: Info) -> IndexerStatus:
    """Where the indexer is, as it recorded it, and how far behind the chain's head now it is
    (the one read that asks the node, briefly cached: a stopped indexer shows a growing lag)."""
    row = await repository.get_indexer_state(info.context.pool)
    head = await chain.head_now(info.context.settings)
    if row is None:
        return IndexerStatus(
            chain_id=None,
            head_block=None,
            indexed_block=None,
            lag_blocks=None,
            chain_head=head,
            indexed_time=None,
        )
    latest = row["head_block"] if head is None else max(head, row["head_block"])
    return IndexerStatus(
        chain_id=row["chain_id"],
        head_block=row["head_block"],
        indexed_block=row["block_number"],
        lag_blocks=max(latest - row["block_number"], 0),
        chain_head=head,
        indexed_time=moment_of(row["block_timestamp"]),
    )


def explorer_url(info: Info) -> str | None:
    """The block explorer transaction hashes and addresses link to (`<url>/tx/<hash>`,
    `<url>/address/<address>`), the EXPLORER_URL setting; null when unset (a local chain)."""
    url = info.context.settings.explorer_url
    return url.rstrip("/") if url else None


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class GovernanceQuery:
    indexer = strawberry.field(
        description="Where the indexer's mirror of the chain is.", resolver=indexer
    )
    explorer_url = strawberry.field(
        description=(
            "The block explorer transaction hashes and addresses link to; null "
            "when there is none (a local chain)."
        ),
        resolver=explorer_url,
    )
