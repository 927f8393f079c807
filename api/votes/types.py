"""Vote directions and the result of a vote."""

from __future__ import annotations

from collections.abc import Awaitable
from enum import Enum
from typing import Any

import strawberry


@strawberry.enum
class VoteDirection(Enum):
    UP = "UP"
    DOWN = "DOWN"
    NONE = "NONE"

    @property
    def value_int(self) -> int:
        return {"UP": 1, "DOWN": -1, "NONE": 0}[self.name]

    @classmethod
    def from_int(cls, value: int) -> VoteDirection:
        return _FROM_INT[value]


_FROM_INT = {1: VoteDirection.UP, -1: VoteDirection.DOWN, 0: VoteDirection.NONE}


@strawberry.type
class VoteResult:
    target_id: strawberry.ID
    score: int
    upvotes: int
    downvotes: int
    viewer_vote: VoteDirection


def direction_of(vote: int | Awaitable[int]) -> Any:
    """A viewer's vote as a direction: at once if the loader knew it, else an awaitable."""
    if isinstance(vote, int):
        return VoteDirection.from_int(vote)

    async def later() -> VoteDirection:
        return VoteDirection.from_int(await vote)

    return later()
