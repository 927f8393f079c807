"""Vote directions and the result of a vote."""

from __future__ import annotations

from collections.abc import Awaitable
from enum import Enum

import strawberry


@strawberry.enum(description="A vote on a post or comment.")
class VoteDirection(Enum):
    UP = strawberry.enum_value("UP", description="An upvote.")
    DOWN = strawberry.enum_value("DOWN", description="A downvote.")
    NONE = strawberry.enum_value("NONE", description="No vote (given to `vote`, it withdraws one).")

    @property
    def value_int(self) -> int:
        return {"UP": 1, "DOWN": -1, "NONE": 0}[self.name]

    @classmethod
    def from_int(cls, value: int) -> VoteDirection:
        return _FROM_INT[value]


_FROM_INT = {1: VoteDirection.UP, -1: VoteDirection.DOWN, 0: VoteDirection.NONE}


@strawberry.type(description="A post's or comment's tally after the viewer's vote.")
class VoteResult:
    target_id: strawberry.ID = strawberry.field(
        description="The id of the post or comment voted on."
    )
    score: int = strawberry.field(description="Upvotes minus downvotes now.")
    upvotes: int = strawberry.field(description="How many upvotes it has now.")
    downvotes: int = strawberry.field(description="How many downvotes it has now.")
    viewer_vote: VoteDirection = strawberry.field(description="The viewer's vote now.")


def direction_of(vote: int | Awaitable[int]) -> VoteDirection | Awaitable[VoteDirection]:
    """A viewer's vote as a direction: at once if the loader knew it, else an awaitable."""
    if isinstance(vote, int):
        return VoteDirection.from_int(vote)

    async def later() -> VoteDirection:
        return VoteDirection.from_int(await vote)

    return later()
