"""The vote mutation: up, down, or withdraw, on a post or a comment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.core import ids, permissions
from api.core.errors import BadUserInput, NotFound
from api.core.types import Info, ItemId
from api.votes import repository
from api.votes.types import VoteDirection, VoteResult


async def vote(
    info: Info,
    target_id: ItemId,
    direction: Annotated[VoteDirection, strawberry.argument(description="The vote.")],
) -> VoteResult:
    viewer = await permissions.require_writer(info)
    kind, row_id = ids.decode(target_id, "Post", "Comment", field="targetId")
    target = await repository.get_score(info.context.pool, kind=kind, target_id=row_id)
    if target is None or target["deleted_at"] is not None:
        raise NotFound(f"That {kind.lower()} does not exist.")
    if target["removed_at"] is not None:
        raise BadUserInput(f"A moderator removed this {kind.lower()}; it takes no votes.")
    await permissions.require_not_banned(info, target["community_id"])
    # One statement, so no transaction: the trigger it fires updates the target's score and
    # holds the target's row lock only for that statement.
    await repository.set_vote(
        info.context.pool,
        kind=kind,
        target_id=row_id,
        user_id=viewer.user_id,
        value=direction.value_int,
    )
    # Read back after the commit: the figures include this vote and any that committed since.
    score = await repository.get_score(info.context.pool, kind=kind, target_id=row_id)
    assert score is not None
    return VoteResult(
        target_id=target_id,
        score=score["score"],
        upvotes=score["upvotes"],
        downvotes=score["downvotes"],
        viewer_vote=direction,
    )


@strawberry.type
class VoteMutation:
    vote = strawberry.mutation(
        description="Votes on a post or comment, or withdraws the vote (NONE).", resolver=vote
    )
