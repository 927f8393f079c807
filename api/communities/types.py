"""The Community type."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import asyncpg
import strawberry

from api.communities.loaders import COMMUNITY_CHAIN, MAX_MODERATORS, MODERATORS
from api.core import ids
from api.core.loaders import Standing
from api.core.pagination import MAX_ITEMS, Connection, check_page_size, empty_connection
from api.core.rows import columns
from api.core.types import After, First, Info
from api.core.types import field as resolver_field
from api.governance.loaders import GOVERNANCE
from api.governance.types import Delegate, Governance, delegates_of
from api.users.loaders import USER
from api.users.types import User, checksummed
from governance import community_id
from governance.operator import token_symbol


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="The orders of `communities`.")
class CommunitySort(Enum):
    POPULAR = strawberry.enum_value("POPULAR", description="Most members first.")
    NEW = strawberry.enum_value("NEW", description="Newest first.")
    NAME = strawberry.enum_value("NAME", description="By name, A to Z.")


@strawberry.enum(description="Where a community's creation on-chain stands.")
class ChainStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING",
        description="The operator has not yet sent it, or the indexer has not yet seen it.",
    )
    CONFIRMED = strawberry.enum_value(
        "CONFIRMED",
        description="Created on-chain and mirrored: its token and governor are known.",
    )
    FAILED = strawberry.enum_value("FAILED", description="The operator's transaction failed.")


def _address(raw: bytes | None) -> str | None:
    return checksummed("0x" + raw.hex()) if raw is not None else None


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(description="A community's creation on-chain.")
class CommunityChain:
    status: ChainStatus = strawberry.field(description="Where the creation stands.")
    community_id: str = strawberry.field(
        description="Its on-chain id: keccak256 of its name (0x-hex)."
    )
    token_address: str | None = strawberry.field(
        description="Its token's address (EIP-55); null until CONFIRMED."
    )
    governor_address: str | None = strawberry.field(
        description="Its governor's address (EIP-55); null until CONFIRMED."
    )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description=(
        "A community: its posts, members and moderators, and its token and governor on-chain."
    )
)
class Community:
    row_id: strawberry.Private[int]
    creator_id: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The community's global id.")
    name: str = strawberry.field(description="Its unique name, lower case (shown as c/name).")
    title: str = strawberry.field(description="Its title.")
    description: str = strawberry.field(description="What it is about, in markdown.")
    description_html: str = strawberry.field(
        description="The description rendered to sanitized HTML."
    )
    rules: list[str] = strawberry.field(description="Its rules, in order.")
    created_at: datetime = strawberry.field(description="When it was created.")
    member_count: int = strawberry.field(description="How many members it has.")
    post_count: int = strawberry.field(description="How many posts it has.")
    # Plain values, known when the object is built (see Standing): a listing shows 25
    # communities, and a resolver each cost more than all their other fields together.
    viewer_is_member: bool = strawberry.field(
        description="Whether the signed-in person is a member (false when nobody is signed in)."
    )
    viewer_is_moderator: bool = strawberry.field(
        description="Whether the signed-in person moderates it."
    )
    viewer_is_banned: bool = strawberry.field(
        description="Whether the signed-in person is banned from it."
    )

    @resolver_field(description="Who created it.")
    async def creator(self, info: Info) -> User:
        row = await info.context.loaders.get(USER).load(self.creator_id)
        assert row is not None  # users are never deleted (a deleted account keeps its row)
        return User.from_row(row)

    @resolver_field(
        metadata={MAX_ITEMS: MAX_MODERATORS},
        description="Its moderators, as the chain has elected them (at most 50).",
    )
    async def moderators(self, info: Info) -> list[User]:
        return [
            User.from_row(r["account"])
            for r in await info.context.loaders.get(MODERATORS).load(self.row_id)
        ]

    @resolver_field(
        description=(
            "Its creation on-chain: CONFIRMED with its addresses once the "
            "indexer mirrored it, FAILED if the operator's transaction failed, "
            "else PENDING."
        )
    )
    async def chain(self, info: Info) -> CommunityChain:
        """Its creation on-chain: CONFIRMED with its addresses once the indexer mirrored it,
        FAILED if the operator's transaction failed, else PENDING."""
        row = await info.context.loaders.get(COMMUNITY_CHAIN).load(self.row_id)
        assert row is not None  # the view has a row for every community
        return CommunityChain(
            status=ChainStatus(row["status"]),
            community_id="0x" + community_id(self.name).hex(),
            token_address=_address(row["token"]),
            governor_address=_address(row["governor"]),
        )

    @resolver_field(
        description=(
            "Its token and governor as the indexer mirrored them; null until "
            "its creation on-chain is indexed."
        )
    )
    async def governance(self, info: Info) -> Governance | None:
        """Its token and governor as the indexer mirrored them; null until the chain's creation
        of the community (matched by its id, keccak of the name) is indexed."""
        row = await info.context.loaders.get(GOVERNANCE).load(community_id(self.name))
        # The mirror does not hold the token's symbol: the platform creates every community's
        # token with this one (governance.operator.create_community_call).
        return (
            Governance.from_row(
                row, community_row_id=self.row_id, token_symbol=token_symbol(self.name)
            )
            if row
            else None
        )

    @resolver_field(
        description=(
            "Its delegates (accounts with voting power now), most voting power "
            "first; none until its governance is indexed."
        )
    )
    async def delegates(
        self, info: Info, first: First = 25, after: After = None
    ) -> Connection[Delegate]:
        """Its delegates (accounts with voting power now), most voting power first, from the
        mirror; none until its governance is indexed."""
        row = await info.context.loaders.get(GOVERNANCE).load(community_id(self.name))
        if row is None:
            check_page_size(first)
            return empty_connection()
        return await delegates_of(
            info, community_row_id=self.row_id, governance=row, first=first, after=after
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record, *, standing: Standing) -> Community:
        """Build from a communities row (a table's, or a view's joined `community`, a whole
        communities row); `standing` is the viewer's in it (`Loaders.standing`)."""
        return cls(
            **columns(row, "creator_id", "name", "title", "description", "description_html"),
            **columns(row, "created_at", "member_count", "post_count"),
            row_id=row["id"],
            id=strawberry.ID(ids.encode("Community", row["id"])),
            rules=list(row["rules"]),
            viewer_is_member=standing.member,
            viewer_is_moderator=standing.moderator,
            viewer_is_banned=standing.banned,
        )
