"""The rewards' types: what a person earned per epoch and why, and a community's epochs and
their mints. Read from the ledger's books and the operator's outbox; never written here.

The payout status of a mint comes from its outbox row (operator_transactions.status) and the
ledger's booking of it (reward_payouts.settled_at):
  pending, failed -> PENDING    (not on its way yet; a reverted mint leaves the points owed)
  sent            -> SUBMITTED  (broadcast, not mined yet)
  mined           -> SUBMITTED  until the ledger books it, then PAID
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import asyncpg
import strawberry

from api.comments.types import Comment, comment_for_viewer
from api.communities.loaders import COMMUNITY
from api.communities.types import Community
from api.core.pagination import MAX_ITEMS
from api.core.permissions import is_moderator
from api.core.rows import columns
from api.core.scalars import BigInt
from api.core.types import Info
from api.core.types import field as resolver_field
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.rewards.loaders import (
    COMMENT_VIEW,
    EPOCH,
    EPOCH_LINES,
    LINES,
    MAX_EPOCH_LINES,
    PAYOUTS,
    USER_PAYOUT,
)

# The most items a reward lists (its largest first; its amount counts them all) and the most
# mints an epoch lists: the cost limit counts these. An epoch of 10,000 recipients is about 70
# mints.
MAX_REWARD_ITEMS = 25
MAX_PAYOUTS = 100


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="Where a mint of rewards stands.")
class PayoutStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Queued; not sent yet.")
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="Sent; not yet mined and booked.")
    PAID = strawberry.enum_value("PAID", description="Mined and booked.")


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="Where a reward epoch stands.")
class EpochStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Counting: its votes still come in.")
    # Rewards computed, booked and public; not minted until the review window ends
    # (`reviewEndsAt`), and a line whose item is removed meanwhile is voided.
    IN_REVIEW = strawberry.enum_value(
        "IN_REVIEW",
        description=(
            "Rewards computed, booked and public; not minted until the review "
            "window ends (`reviewEndsAt`), and a line whose item is removed "
            "meanwhile is voided."
        ),
    )
    # Reviewed, its root published and its mints queued; no mint sent yet.
    CLOSED = strawberry.enum_value(
        "CLOSED",
        description="Reviewed, its root published and its mints queued; no mint sent yet.",
    )
    # Some mint sent, not all of them booked.
    PAYING = strawberry.enum_value("PAYING", description="Some mint sent, not all of them booked.")
    PAID = strawberry.enum_value("PAID", description="Every mint on-chain and booked.")


def payout_status(row: asyncpg.Record | None) -> PayoutStatus:
    """The status of a mint from its outbox row joined with its payout (see the module's doc)."""
    if row is None or row["status"] in ("pending", "failed"):
        return PayoutStatus.PENDING
    if row["status"] == "mined" and row["settled_at"] is not None:
        return PayoutStatus.PAID
    return PayoutStatus.SUBMITTED


def tx_hash(row: asyncpg.Record | None) -> str | None:
    if row is None or row["tx_hash"] is None:
        return None
    return "0x" + bytes(row["tx_hash"]).hex()


@strawberry.type(description="One mint (a batch of recipients) of an epoch's rewards.")
class Payout:
    # The on-chain epoch id of this batch (epoch number * 1000 + batch), as a decimal string.
    chain_epoch_id: str = strawberry.field(
        description="The on-chain epoch id of this batch (epoch number * 1000 + batch), in decimal."
    )
    recipients: int = strawberry.field(description="How many people it pays.")
    amount: BigInt = strawberry.field(description="What it mints, in base units.")
    status: PayoutStatus = strawberry.field(description="Where it stands.")
    tx_hash: str | None = strawberry.field(description="Its transaction; null until sent.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Payout:
        return cls(
            chain_epoch_id=str(row["chain_epoch_id"]),
            recipients=row["recipients"],
            amount=BigInt(int(row["amount"])),
            status=payout_status(row),
            tx_hash=tx_hash(row),
        )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description="A period of a community's rewards: the votes in it decide who earns its emission."
)
class RewardEpoch:
    community_id: strawberry.Private[int]
    row_status: strawberry.Private[str]
    number: int = strawberry.field(description="Its number in the community, from 1.")
    starts_at: datetime = strawberry.field(description="When it started.")
    ends_at: datetime = strawberry.field(description="When it ends (or ended).")
    emission: BigInt = strawberry.field(description="The points it gives out, in base units.")
    # Until the epoch closes nothing is distributed and nobody has received.
    distributed: BigInt = strawberry.field(
        description="What it gave (0 until it closes), in base units."
    )
    recipients: int = strawberry.field(description="How many people earned (0 until it closes).")
    # When the review window ends and the epoch is minted; null while open (and for an epoch
    # closed before windows existed).
    review_ends_at: datetime | None = strawberry.field(
        description="When its review window ends and it is minted; null while open."
    )
    # 0x-hex root of OpenZeppelin's StandardMerkleTree of the (address, uint256) rows minted (the
    # CSV at /rewards/<community>/<number>.csv); every mint's EpochMinted event carries it. Null
    # while open or in review, and when nothing was minted.
    merkle_root: str | None = strawberry.field(
        description=(
            "0x-hex root of the StandardMerkleTree of the (address, uint256) "
            "rows minted (the CSV at /rewards/<community>/<number>.csv); null "
            "while open or in review, and when nothing was minted."
        )
    )
    undistributed: BigInt = strawberry.field(
        description="What stayed in the community's pool: the emission less what was "
        "distributed; the caps held back all of it but `voided`. 0 while open."
    )
    voided: BigInt = strawberry.field(
        description="What its review voided back to the pool (rewards of items removed or "
        "deleted, or of authors banned, before the review ended)."
    )

    @resolver_field(description="Where it stands.")
    async def status(self, info: Info) -> EpochStatus:
        if self.row_status == "open":
            return EpochStatus.OPEN
        if self.row_status == "review":
            return EpochStatus.IN_REVIEW
        if self.row_status == "paid":
            return EpochStatus.PAID
        payouts = await info.context.loaders.get(PAYOUTS).load((self.community_id, self.number))
        if any(p["status"] in ("sent", "mined") for p in payouts):
            return EpochStatus.PAYING
        return EpochStatus.CLOSED

    @resolver_field(metadata={MAX_ITEMS: MAX_PAYOUTS}, description="Its mints, by batch.")
    async def payouts(self, info: Info) -> list[Payout]:
        rows = await info.context.loaders.get(PAYOUTS).load((self.community_id, self.number))
        return [Payout.from_row(r) for r in rows[:MAX_PAYOUTS]]

    @resolver_field(
        metadata={MAX_ITEMS: MAX_EPOCH_LINES},
        description="What the epoch paid, item by item, the largest first (at most 50).",
    )
    async def lines(self, info: Info) -> list[RewardItem]:
        rows = await info.context.loaders.get(EPOCH_LINES).load((self.community_id, self.number))
        return [RewardItem.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> RewardEpoch:
        return cls(
            **columns(row, "community_id", "number", "starts_at", "ends_at", "review_ends_at"),
            row_status=row["status"],
            emission=BigInt(int(row["emission"])),
            distributed=BigInt(int(row["distributed"] or 0)),
            undistributed=BigInt(int(row["undistributed"] or 0)),
            voided=BigInt(int(row["voided"])),
            recipients=row["recipients"] or 0,
            merkle_root=None
            if row["merkle_root"] is None
            else "0x" + bytes(row["merkle_root"]).hex(),
        )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="What one post or comment earned its author in an epoch.")
class RewardItem:
    community_id: strawberry.Private[int]
    post_id: strawberry.Private[int | None]
    comment_id: strawberry.Private[int | None]
    low_standing: strawberry.Private[Any]
    co_voting: strawberry.Private[Any]
    # Eligible votes on the item in the epoch, and their balance (up - down).
    votes: int = strawberry.field(description="Eligible votes on the item in the epoch.")
    score: float = strawberry.field(
        description="Their balance, weighted by the voters' standing (up minus down)."
    )
    amount: BigInt = strawberry.field(description="What it earned, in base units.")
    # Voided in the epoch's review (its item removed or deleted, or its author banned): its
    # amount went back to the community's pool and is not minted.
    voided: bool = strawberry.field(
        description=(
            "Voided in the epoch's review (its item removed or deleted, or its "
            "author banned): its amount went back to the community's pool."
        )
    )

    @resolver_field(
        description="For the community's moderators (null for anyone else, and on lines closed "
        "before votes were weighted): the part (0 to 1) of the item's upvote weight that came "
        "from voters with little standing (under 10 points at the epoch's start)."
    )
    async def low_standing_share(self, info: Info) -> float | None:
        return await self._for_moderators(info, self.low_standing)

    @resolver_field(
        description="For the community's moderators (null for anyone else): the part (0 to 1) "
        "of the item's upvotes cast by co-voters, voters whose set of upvoted authors in the "
        "epoch overlaps heavily with that of several others (a ring's signature)."
    )
    async def co_voting_share(self, info: Info) -> float | None:
        return await self._for_moderators(info, self.co_voting)

    async def _for_moderators(self, info: Info, value: Any) -> float | None:
        if value is None or not await is_moderator(info, self.community_id):
            return None
        return float(value)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> RewardItem:
        return cls(
            **columns(row, "community_id", "post_id", "comment_id", "votes"),
            low_standing=row["low_standing_share"],
            co_voting=row["co_voting_share"],
            score=float(row["score"]),
            amount=BigInt(int(row["amount"])),
            voided=row["void_reason"] is not None,
        )

    @resolver_field(description="The post, if it is one (as the viewer may see it).")
    async def post(self, info: Info) -> Post | None:
        # As the viewer may see it: deleted or removed content shows its placeholder.
        if self.post_id is None:
            return None
        row = await info.context.loaders.get(POST).load(self.post_id)
        return await post_for_viewer(info, row) if row else None

    @resolver_field(description="The comment, if it is one (as the viewer may see it).")
    async def comment(self, info: Info) -> Comment | None:
        if self.comment_id is None:
            return None
        row = await info.context.loaders.get(COMMENT_VIEW).load(self.comment_id)
        return await comment_for_viewer(info, row) if row else None


@strawberry.type(description="What a person earned in one epoch of a community.")
class Reward:
    """What a person earned in one epoch of one community, and why."""

    community_id: strawberry.Private[int]
    epoch_number: strawberry.Private[int]
    user_id: strawberry.Private[int]
    amount: BigInt = strawberry.field(description="What they earned, in base units.")

    @property
    def _key(self) -> tuple[int, int, int]:
        return (self.community_id, self.epoch_number, self.user_id)

    @resolver_field(description="The community.")
    async def community(self, info: Info) -> Community:
        loaders = info.context.loaders
        row = await loaders.get(COMMUNITY).load(self.community_id)
        assert row is not None  # communities are never deleted
        return Community.from_row(row, standing=await loaders.standing.load(self.community_id))

    @resolver_field(description="The epoch.")
    async def epoch(self, info: Info) -> RewardEpoch:
        row = await info.context.loaders.get(EPOCH).load((self.community_id, self.epoch_number))
        assert row is not None  # a reward line references its epoch
        return RewardEpoch.from_row(row)

    @resolver_field(description="Where its mint stands.")
    async def status(self, info: Info) -> PayoutStatus:
        return payout_status(await info.context.loaders.get(USER_PAYOUT).load(self._key))

    @resolver_field(description="The mint's transaction; null until sent.")
    async def tx_hash(self, info: Info) -> str | None:
        return tx_hash(await info.context.loaders.get(USER_PAYOUT).load(self._key))

    @resolver_field(
        metadata={MAX_ITEMS: MAX_REWARD_ITEMS},
        description="The posts and comments that earned it, the largest first (at most 50).",
    )
    async def items(self, info: Info) -> list[RewardItem]:
        rows = await info.context.loaders.get(LINES).load(self._key)
        return [RewardItem.from_row(r) for r in rows[:MAX_REWARD_ITEMS]]


@strawberry.type(
    description="Everything a person was given in a community, and what of it is on-chain."
)
class RewardTotals:
    # Everything the person was given in the community (owed or on-chain), and what of it is
    # on-chain (minted and booked).
    earned: BigInt = strawberry.field(
        description="Everything they were given (owed or on-chain), in base units."
    )
    paid: BigInt = strawberry.field(
        description="What of it is on-chain (minted and booked), in base units."
    )
