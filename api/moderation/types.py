"""Types of moderation: log entries, bans and reports."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import asyncpg
import strawberry

from api.comments.mutations import load_comment
from api.comments.types import Comment
from api.communities.types import Community
from api.core import ids
from api.core.types import Info
from api.core.types import field as resolver_field
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer
from api.users.types import User


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="What a moderation log entry records.")
class ModAction(Enum):
    REMOVE_POST = strawberry.enum_value("REMOVE_POST", description="A moderator removed a post.")
    REMOVE_COMMENT = strawberry.enum_value(
        "REMOVE_COMMENT", description="A moderator removed a comment."
    )
    BAN_USER = strawberry.enum_value(
        "BAN_USER", description="A moderator banned someone from the community."
    )
    UNBAN_USER = strawberry.enum_value("UNBAN_USER", description="A moderator lifted a ban.")
    # Decided on-chain by the community (its governor, or the factory for the creator).
    ELECT_MODERATOR = strawberry.enum_value(
        "ELECT_MODERATOR",
        description="The community elected a moderator on-chain (or the creator became one).",
    )
    IMPEACH_MODERATOR = strawberry.enum_value(
        "IMPEACH_MODERATOR", description="The community removed a moderator on-chain."
    )


def _optional_id(kind: str, number: int | None) -> strawberry.ID | None:
    return strawberry.ID(ids.encode(kind, number)) if number is not None else None


# The sources of the log's entries (column `source` of list_modlog).
_FORUM, _CHAIN = 0, 1


@strawberry.type(description="An entry of a community's public moderation log.")
class ModlogEntry:
    source: strawberry.Private[int]
    sequence: strawberry.Private[int]
    action: ModAction = strawberry.field(description="What was done.")
    # For ELECT_MODERATOR and IMPEACH_MODERATOR: the account elected or impeached (also the
    # target).
    moderator: User = strawberry.field(
        description="Who did it (for an election or impeachment: the account elected or impeached)."
    )
    target_user: User | None = strawberry.field(description="Whom it was done to, if a person.")
    target_post_id: strawberry.ID | None = strawberry.field(
        description="The post it was done to, if one."
    )
    target_comment_id: strawberry.ID | None = strawberry.field(
        description="The comment it was done to, if one."
    )
    reason: str | None = strawberry.field(description="The reason given, if any.")
    created_at: datetime = strawberry.field(description="When it was done.")
    proposal_id: str | None = strawberry.field(
        description="The proposal whose execution decided an election or impeachment (decimal); "
        "null for forum actions and for the creator, elected with the community."
    )
    tx_hash: str | None = strawberry.field(
        description="The transaction of an election or impeachment; null for forum actions."
    )

    @resolver_field(description="The entry's global id.")
    def id(self) -> strawberry.ID:
        # A chain entry's sequence is its block number * 2^20 + log index.
        kind = "ModlogEntry" if self.source == _FORUM else "ModeratorEvent"
        return strawberry.ID(ids.encode(kind, self.sequence))

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ModlogEntry:
        proposal_id = row["proposal_id"]
        tx_hash = row["tx_hash"]
        return cls(
            source=row["source"],
            sequence=row["sequence"],
            action=ModAction(row["action"]),
            moderator=User.from_row(row["moderator"]),
            target_user=User.from_row(row["target_user"])
            if row["target_user"] is not None
            else None,
            target_post_id=_optional_id("Post", row["target_post_id"]),
            target_comment_id=_optional_id("Comment", row["target_comment_id"]),
            reason=row["reason"],
            created_at=row["created_at"],
            proposal_id=str(proposal_id) if proposal_id is not None else None,
            tx_hash="0x" + tx_hash.hex() if tx_hash is not None else None,
        )


@strawberry.type(description="A ban of a person from a community.")
class Ban:
    community: Community = strawberry.field(description="The community they are banned from.")
    user: User = strawberry.field(description="Who is banned.")
    reason: str | None = strawberry.field(description="The reason given, if any.")
    expires_at: datetime | None = strawberry.field(
        description="When the ban ends; null if it does not."
    )
    created_at: datetime = strawberry.field(description="When they were banned.")

    @classmethod
    def from_row(cls, row: asyncpg.Record, community: Community) -> Ban:
        return cls(
            community=community,
            user=User.from_row(row["banned"]),
            reason=row["reason"],
            expires_at=row["expires_at"],
            created_at=row["created_at"],
        )


@strawberry.type(description="A report of a post or comment to a community's moderators.")
class Report:
    row_id: strawberry.Private[int]
    post_row_id: strawberry.Private[int | None]
    comment_row_id: strawberry.Private[int | None]
    reporter: User = strawberry.field(description="Who reported it.")
    reason: str = strawberry.field(description="Why.")
    created_at: datetime = strawberry.field(description="When it was reported.")
    resolved_at: datetime | None = strawberry.field(
        description="When a moderator resolved it; null while open."
    )
    resolved_by: User | None = strawberry.field(
        description="The moderator who resolved it; null while open."
    )

    @resolver_field(description="The report's global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Report", self.row_id))

    @resolver_field(description="The id of the post or comment reported.")
    def target_id(self) -> strawberry.ID:
        if self.post_row_id is not None:
            return strawberry.ID(ids.encode("Post", self.post_row_id))
        return strawberry.ID(ids.encode("Comment", self.comment_row_id or 0))

    @resolver_field(description="The post reported, if it is a post.")
    async def post(self, info: Info) -> Post | None:
        if self.post_row_id is None:
            return None
        row = await info.context.loaders.get(POST).load(self.post_row_id)
        return await post_for_viewer(info, row) if row else None

    @resolver_field(description="The comment reported, if it is a comment.")
    async def comment(self, info: Info) -> Comment | None:
        if self.comment_row_id is None:
            return None
        return await load_comment(info, self.comment_row_id)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Report:
        return cls(
            row_id=row["id"],
            post_row_id=row["post_id"],
            comment_row_id=row["comment_id"],
            reporter=User.from_row(row["reporter"]),
            reason=row["reason"],
            created_at=row["created_at"],
            resolved_at=row["resolved_at"],
            resolved_by=User.from_row(row["resolver"]) if row["resolver"] is not None else None,
        )
