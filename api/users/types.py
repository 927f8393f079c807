"""The User type: a person, known by their wallet address."""

from __future__ import annotations

import base64
import functools
from datetime import UTC, datetime

import asyncpg
import strawberry
from eth_utils import to_checksum_address

from api.core import ids
from api.core.errors import BadUserInput
from api.core.pagination import MAX_ITEMS
from api.core.scalars import BigInt
from api.core.types import CommunityName, Info
from api.core.types import field as resolver_field
from api.users import repository
from api.users.loaders import TOKEN_STANDING
from governance import community_id
from governance.operator import token_symbol

ZERO_ADDRESS = "0x" + "0" * 40

# A profile lists at most this many communities' points (`User.holdings`).
MAX_HOLDINGS = 20


@functools.lru_cache(maxsize=65536)
def checksummed(address: str) -> str:
    """EIP-55 form of a stored (lower-case) address; cached, as keccak per author per row
    was a tenth of a listing's CPU."""
    return to_checksum_address(address)


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description=(
        "A person, known by their wallet address; someone the chain names "
        "who never signed in shows with their address alone."
    )
)
class User:
    """A person. `posts`, `comments`, `rewards` and `rewardTotals` are resolved by those domains,
    which build on this one, and attached where the schema is composed (`api.core.extend`)."""

    row_id: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The account's global id.")
    # EIP-55 checksummed.
    address: str = strawberry.field(
        description=(
            "Their wallet address, EIP-55 checksummed; the zero address once "
            "the account is deleted."
        )
    )
    display_name: str | None = strawberry.field(
        description=(
            "The name they chose, if any (not unique: it names nobody in an "
            "action, the address does)."
        )
    )
    bio: str | None = strawberry.field(description="What they say about themselves, if anything.")
    karma: int = strawberry.field(description="Their post and comment karma together.")
    post_karma: int = strawberry.field(description="The sum of their posts' scores.")
    comment_karma: int = strawberry.field(description="The sum of their comments' scores.")
    created_at: datetime = strawberry.field(description="When they first signed in.")
    # Set when the account was deleted (Mutation.deleteAccount): its profile is then empty and
    # its address the zero address, as the address now belongs to whoever signs in with it.
    deleted_at: datetime | None = strawberry.field(
        default=None,
        description=(
            "When the account was deleted (`deleteAccount`): its profile is "
            "then empty; null otherwise."
        ),
    )

    # A person's standing in a community's token, from the indexer's mirror of the chain (read
    # only). The resolvers live here, beside User, and read the mirror with the users domain's
    # own SQL: a governance domain above would make User import it back (a cycle).

    @resolver_field(
        description=(
            "Their balance of the community's token (its points), in base "
            "units, from the mirror of the chain."
        )
    )
    async def points(
        self,
        info: Info,
        community: CommunityName,
    ) -> BigInt:
        """The community token's balance, in base units (18 decimals); 0 if none."""
        return BigInt(int((await self._token_standing(info, community))["points"]))

    @resolver_field(
        description=(
            "The votes the community's governor counts for them now (their own "
            "points if self-delegated, and those delegated to them)."
        )
    )
    async def voting_power(
        self,
        info: Info,
        community: CommunityName,
    ) -> BigInt:
        """The votes delegated to this person in the community (their own only once they
        delegate to themselves, as with every ERC20Votes token)."""
        return BigInt(int((await self._token_standing(info, community))["voting_power"]))

    @resolver_field(
        description="Whom their votes count through in the community; null if they never delegated."
    )
    async def delegate(
        self,
        info: Info,
        community: CommunityName,
    ) -> User | None:
        """Whom this person delegates their votes to in the community; null if nobody."""
        return _delegate_of(await self._token_standing(info, community))

    @resolver_field(
        description="This person's points, voting power and delegate in each community where "
        "they hold points or votes now, by community name (at most 20), from the mirror: "
        "what a profile shows in one place.",
        metadata={MAX_ITEMS: MAX_HOLDINGS},
    )
    async def holdings(self, info: Info) -> list[Holding]:
        holder = bytes.fromhex(self.address[2:])
        rows = await repository.list_holder_communities(
            info.context.pool, holder=holder, limit=MAX_HOLDINGS
        )
        loader = info.context.loaders.get(TOKEN_STANDING)
        standings = await loader.load_many([(bytes(r["community_id"]), holder) for r in rows])
        return [
            Holding(
                community=r["name"],
                token_symbol=token_symbol(r["name"]),
                points=BigInt(int(s["points"])),
                voting_power=BigInt(int(s["voting_power"])),
                delegate=_delegate_of(s),
            )
            for r, s in zip(rows, standings, strict=True)
            if s["points"] > 0 or s["voting_power"] > 0
        ]

    async def _token_standing(self, info: Info, community: str) -> asyncpg.Record:
        key = (community_id(_community_name(community)), bytes.fromhex(self.address[2:]))
        return await info.context.loaders.get(TOKEN_STANDING).load(key)

    @classmethod
    def from_address(cls, address: str, *, seen_at: datetime | int) -> User:
        """A person the chain names (a proposer, a voter, a delegate) who has no forum account:
        signing in creates one, and a read never writes, so this is built from the address alone.
        Its id is of its own kind (`Address:`, not a row's) and stable; `createdAt` is when the
        chain first showed them here (`seen_at`, a time or a Unix timestamp); no posts, no karma.
        """
        lower = address.lower()
        return cls(
            row_id=0,  # no users row has id 0: their posts and comments are empty lists
            id=strawberry.ID(_address_id(lower)),
            address=checksummed(lower),
            display_name=None,
            bio=None,
            karma=0,
            post_karma=0,
            comment_karma=0,
            created_at=seen_at
            if isinstance(seen_at, datetime)
            else datetime.fromtimestamp(seen_at, UTC),
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> User:
        """Build from a users row: a table's, or one a query joins as a whole-row column
        (`post_views.author`, `report_views.reporter`, `proposal_views.proposer_account`, ...)."""
        post_karma = row["post_karma"]
        comment_karma = row["comment_karma"]
        return cls(
            row_id=row["id"],
            id=strawberry.ID(ids.encode("User", row["id"])),
            address=checksummed(row["address"] or ZERO_ADDRESS),
            display_name=row["display_name"],
            bio=row["bio"],
            karma=post_karma + comment_karma,
            post_karma=post_karma,
            comment_karma=comment_karma,
            created_at=row["created_at"],
            deleted_at=row.get("deleted_at"),
        )


# A schema type, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.type(
    description="A person's standing in one community's token, from the indexer's mirror."
)
class Holding:
    community: str = strawberry.field(description="The community's name (c/<name>).")
    token_symbol: str = strawberry.field(
        description="The symbol of the community's token: the word for its points."
    )
    points: BigInt = strawberry.field(
        description="Their balance of the token, in base units (18 decimals)."
    )
    voting_power: BigInt = strawberry.field(
        description="The votes delegated to them now (their own once self-delegated)."
    )
    delegate: User | None = strawberry.field(
        description="Whom they delegate their votes to; null if nobody."
    )


def _delegate_of(row: asyncpg.Record) -> User | None:
    """The delegate of a get_token_standings row: their forum account, else built from the
    address; null if they delegate to nobody."""
    if row["delegatee"] is None:
        return None
    if row["delegate_account"] is None:
        return User.from_address("0x" + row["delegatee"].hex(), seen_at=row["delegated_at"])
    return User.from_row(row["delegate_account"])


def _community_name(name: str) -> str:
    # Names are 3 to 32 characters; anything else names no community (and a lone surrogate
    # could not even be hashed).
    if len(name) > 100 or not name.isprintable():
        raise BadUserInput("That is not a community name.", field="community")
    try:
        name.encode()
    except UnicodeEncodeError:
        raise BadUserInput("That is not a community name.", field="community") from None
    return name.lower()


@functools.lru_cache(maxsize=4096)
def _address_id(address: str) -> str:
    return base64.urlsafe_b64encode(f"Address:{address}".encode()).decode().rstrip("=")
