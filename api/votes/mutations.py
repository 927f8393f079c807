"""The vote mutation: up, down, or withdraw, on a post or a comment."""

from __future__ import annotations

import strawberry

from api.core import ids, permissions
from api.core.errors import BadUserInput, NotFound
from api.core.types import Info
from api.votes import repository
from api.votes.types import VoteDirection, VoteResult


async def vote(info: Info, target_id: strawberry.ID, direction: VoteDirection) -> VoteResult:
    viewer = await permissions.require_writer(info)
    kind, row_id = ids.decode(target_id, "Post", "Comment", field="targetId")
    async with info.context.pool.acquire() as conn, conn.transaction():
        target = await repository.get_score(conn, kind=kind, target_id=row_id)
        if target is None or target["deleted_at"] is not None:
            raise NotFound(f"That {kind.lower()} does not exist.")
        if target["removed_at"] is not None:
            raise BadUserInput(f"A moderator removed this {kind.lower()}; it takes no votes.")
        await repository.set_vote(
            conn, kind=kind, target_id=row_id, user_id=viewer.user_id, value=direction.value_int
        )
    # Read back after the commit: the trigger holds the target's row lock until then, and every
    # round trip inside the transaction would keep the next voter of a hot post waiting. The
    # figures include this vote and any that committed since.
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
    vote = strawberry.mutation(resolver=vote)
