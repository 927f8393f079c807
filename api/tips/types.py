"""The GraphQL types of tips: an item's summary and one tip."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import strawberry

from api.core.scalars import BigInt
from api.users.types import User


@strawberry.type(description="The tips an item received.")
class TipSummary:
    """What an item's author was tipped for it, in its community's points (base units)."""

    count: int = strawberry.field(description="How many.")
    total: BigInt = strawberry.field(description="The points they add up to, in base units.")
    # What the signed-in viewer gave; null when nobody is signed in.
    viewer_total: BigInt | None = strawberry.field(
        description="What the signed-in person gave; null when nobody is signed in."
    )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="Points one person gave another for a post or comment, on-chain.")
class Tip:
    """One tip as the chain recorded it: points a member paid an author for an item."""

    tipper: User = strawberry.field(description="Who gave them.")
    recipient: User = strawberry.field(description="Who received them.")
    amount: BigInt = strawberry.field(description="The points given, in base units.")
    # The community whose points were paid.
    community: str = strawberry.field(
        description="The community whose points were paid (its name)."
    )
    # keccak256 of the tipped item's GraphQL id, as the chain holds it (0x-hex).
    item_ref: str = strawberry.field(
        description="keccak256 of the tipped item's global id, as the chain holds it (0x-hex)."
    )
    tx_hash: str = strawberry.field(description="The transaction that paid it.")
    created_at: datetime = strawberry.field(description="When it was paid (the block's time).")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Tip:
        return cls(
            tipper=_person(row["tipper_account"], row["tipper"], row["block_timestamp"]),
            recipient=_person(row["recipient_account"], row["recipient"], row["block_timestamp"]),
            amount=BigInt(int(row["amount"])),
            community=row["community"],
            item_ref="0x" + bytes(row["item_ref"]).hex(),
            tx_hash="0x" + bytes(row["tx_hash"]).hex(),
            created_at=datetime.fromtimestamp(row["block_timestamp"], UTC),
        )


def _person(account: asyncpg.Record | None, address: bytes, seen_at: int) -> User:
    """The forum's account of `address`, else a User of the address alone (reads never write)."""
    if account is not None:
        return User.from_row(account)
    return User.from_address("0x" + bytes(address).hex(), seen_at=seen_at)
