"""Vote directions and the result of a vote."""

from __future__ import annotations

from enum import Enum

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
