"""Members govern from the forum: the mutations of governance, composed from their modules
(`drafts`: proposals for the member's wallet to submit; `relays`: ballots the operator sends),
and what a delegate says of themselves."""

from __future__ import annotations

import time
from typing import Annotated

import strawberry

from api.core import permissions, validation
from api.core.errors import NotFound, NotOnChain, shown
from api.core.types import CommunityName, Info
from api.governance import repository
from api.governance.drafts import propose_impeachment, propose_moderator_election
from api.governance.relays import relay_vote
from api.governance.types import Delegate
from governance import community_id as chain_community_id

STATEMENT_MAX_LENGTH = 2_000


async def set_delegate_statement(
    info: Info,
    community: CommunityName,
    statement: Annotated[str, strawberry.argument(description="The statement, in markdown.")],
) -> Delegate:
    """What the signed-in person says, as a delegate, in `community` (markdown, at most
    2,000 characters; read back rendered and sanitized as `Delegate.statementHtml`)."""
    viewer = await permissions.require_writer(info)
    text = validation.text(
        statement, field="statement", label="A statement", max_length=STATEMENT_MAX_LENGTH
    )
    pool = info.context.pool
    forum = await repository.get_forum_community(pool, name=community)
    if forum is None:
        raise NotFound(f"There is no community named '{shown(community)}'.")
    chain_row = await repository.get_chain_community(
        pool, community_id=chain_community_id(community)
    )
    if chain_row is None:
        raise NotOnChain(f"{community} is not on-chain yet: it has no delegates until it is.")
    await repository.upsert_delegate_statement(
        pool,
        community_id=forum["id"],
        user_id=viewer.user_id,
        statement=text,
        statement_html=await info.context.renderer.render_stored(text),
    )
    row = await repository.get_delegate(
        pool,
        token=bytes(chain_row["token"]),
        governor=bytes(chain_row["governor"]),
        account=bytes.fromhex(viewer.address.removeprefix("0x")),
        community_id=forum["id"],
    )
    return Delegate.from_row(row, seen_at=row["first_power"] or int(time.time()))


@strawberry.type
class GovernanceMutation:
    set_delegate_statement = strawberry.mutation(
        description=(
            "What the signed-in person says, as a delegate, in a community "
            "(markdown, at most 2,000 characters)."
        ),
        resolver=set_delegate_statement,
    )
    propose_moderator_election = strawberry.mutation(
        description=(
            "The proposal to make `candidate` a moderator of `community`, for "
            "the viewer's wallet to submit; writes nothing."
        ),
        resolver=propose_moderator_election,
    )
    propose_impeachment = strawberry.mutation(
        description=(
            "The proposal to remove `moderator` from the moderators of "
            "`community`, for the viewer's wallet to submit; writes nothing."
        ),
        resolver=propose_impeachment,
    )
    relay_vote = strawberry.mutation(
        description=(
            "Sends the voter's signed ballot with the operator's gas (no "
            "session needed: the signature is the voter's consent)."
        ),
        resolver=relay_vote,
    )
