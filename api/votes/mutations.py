"""The vote mutation: up, down, or withdraw, on a post or a comment."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import FieldNode

from api.core import ids, permissions
from api.core.types import Info, ItemId
from api.votes import batches
from api.votes.types import VoteDirection, VoteResult


async def vote(
    info: Info,
    target_id: ItemId,
    direction: Annotated[VoteDirection, strawberry.argument(description="The vote.")],
) -> VoteResult:
    viewer = await permissions.require_writer(info)
    kind, row_id = ids.decode(target_id, "Post", "Comment", field="targetId")
    # Checked and written with the other votes on the target at this moment, in one statement
    # (see api.votes.batches: a vote the target does not take raises why); the score is read
    # back after the commit: its figures include this vote and any that committed since.
    score = await batches.writer_for(info.context.pool).cast(
        kind=kind, target_id=row_id, user_id=viewer.user_id, value=direction.value_int
    )
    # Where the vote is in the WAL, read with the score: the request's own write position when
    # the vote is its only write (else the view asks the primary, after them all).
    roots = info.operation.selection_set.selections
    if len(roots) == 1 and isinstance(roots[0], FieldNode):
        info.context.written = score["written"]
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
