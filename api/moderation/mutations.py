"""Moderators' mutations (remove, ban, unban, resolve and reopen reports) and everyone's report.

Every moderator action on people or content is written to the public moderation log in the same
transaction as the action itself: there is no action without its log entry. Handling reports is
not logged: reports are private to the moderators, as in Lemmy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import asyncpg
import strawberry

from agora.db import Executor
from api.comments import repository as comments
from api.comments.mutations import load_comment
from api.comments.types import Comment
from api.communities.loaders import COMMUNITY
from api.communities.mutations import get_community_or_404
from api.core import ids, permissions, validation
from api.core.context import Viewer
from api.core.errors import BadUserInput, Forbidden, NotFound
from api.core.types import CommentId, CommunityName, Info, ItemId, PostId
from api.inbox import events
from api.inbox.repository import About, Written
from api.moderation import repository
from api.moderation.types import Ban, Report
from api.posts import repository as posts
from api.posts.loaders import POST
from api.posts.mutations import load_post
from api.posts.types import Post
from api.users import repository as users
from api.users.types import User


def _reason(reason: str | None) -> str | None:
    return validation.optional_text(reason, field="reason", label="The reason", max_length=500)


async def _community_name(info: Info, community_id: int) -> str:
    row = await info.context.loaders.get(COMMUNITY).load(community_id)
    if row is None:
        raise NotFound("That community does not exist.")
    name: str = row["name"]
    return name


RemovalReason = Annotated[
    str | None, strawberry.argument(description="Why (shown in the log and to the author).")
]


async def _log_removal(
    conn: Executor,
    *,
    community_id: int,
    moderator_id: int,
    author_id: int,
    reason: str | None,
    about: About,
) -> list[Written]:
    """The modlog's entry of a removal (of `about`'s comment if it names one, else its post) and
    the author's notification of it, in the removal's transaction."""
    entry = await repository.log_action(
        conn,
        community_id=community_id,
        moderator_id=moderator_id,
        action="REMOVE_POST" if about.comment_id is None else "REMOVE_COMMENT",
        reason=reason,
        target_user_id=author_id,
        target_post_id=about.post_id if about.comment_id is None else None,
        target_comment_id=about.comment_id,
    )
    return await events.moderated(
        conn,
        kind="CONTENT_REMOVED",
        modlog_id=entry,
        user_id=author_id,
        moderator_id=moderator_id,
        about=about,
    )


async def remove_post(
    info: Info,
    id: PostId,
    reason: RemovalReason = None,
) -> Post:
    post_id = ids.decode_one(id, "Post")
    reason = _reason(reason)
    row = await info.context.loaders.get(POST).load(post_id)
    if row is None:
        raise NotFound("That post does not exist.")
    viewer = await permissions.require_moderator(
        info, row["community_id"], row["community"]["name"]
    )
    written: list[Written] = []
    async with info.context.pool.acquire() as conn, conn.transaction():
        await posts.lock_post(conn, post_id=post_id)
        if row["removed_at"] is None:
            await posts.remove_post(conn, post_id=post_id)
            written = await _log_removal(
                conn,
                community_id=row["community_id"],
                moderator_id=viewer.user_id,
                author_id=row["author_id"],
                reason=reason,
                about=About(community_id=row["community_id"], post_id=post_id),
            )
    await events.content_written(info.context.pubsub, written)
    return await load_post(info, post_id)


async def remove_comment(
    info: Info,
    id: CommentId,
    reason: RemovalReason = None,
) -> Comment:
    comment_id = ids.decode_one(id, "Comment")
    reason = _reason(reason)
    comment = await load_comment(info, comment_id)
    viewer = await permissions.require_moderator(
        info, comment.community_id, await _community_name(info, comment.community_id)
    )
    written: list[Written] = []
    async with info.context.pool.acquire() as conn, conn.transaction():
        row = await comments.lock_comment(conn, comment_id=comment_id)
        if row is not None and row["removed_at"] is None:
            await comments.remove_comment(conn, comment_id=comment_id)
            written = await _log_removal(
                conn,
                community_id=comment.community_id,
                moderator_id=viewer.user_id,
                author_id=comment.author_id,
                reason=reason,
                about=About(comment.community_id, row["post_id"], comment_id),
            )
    await events.content_written(info.context.pubsub, written)
    return await load_comment(info, comment_id)


# A schema input, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.input(description="A ban to impose.")
class BanUserInput:
    community: str = strawberry.field(description="The community's name.")
    address: str = strawberry.field(description="The wallet address of whom to ban.")
    reason: str | None = strawberry.field(
        default=None, description="Why (shown to them and in the log)."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the ban ends; null for a ban without end."
    )


async def _user_or_404(info: Info, address: str) -> asyncpg.Record:
    address = validation.address(address, field="address")
    row = await users.get_user_by_address(info.context.pool, address=address)
    if row is None:
        raise NotFound(f"No one with the address {address} has signed in here.")
    return row


async def ban_user(
    info: Info, input: Annotated[BanUserInput, strawberry.argument(description="The ban.")]
) -> Ban:
    community = await get_community_or_404(info, input.community)
    viewer = await permissions.require_moderator(info, community.row_id, community.name)
    reason = _reason(input.reason)
    if input.expires_at is not None and input.expires_at <= datetime.now(UTC):
        raise BadUserInput("A ban must end in the future (or never).", field="expiresAt")
    target = await _user_or_404(info, input.address)
    if target["id"] == viewer.user_id:
        raise BadUserInput("You cannot ban yourself.", field="address")
    if await permissions.is_moderator_of(info, community.row_id, target["id"]):
        raise Forbidden("Moderators cannot be banned; impeach them through a proposal instead.")
    async with info.context.pool.acquire() as conn, conn.transaction():
        ban = await repository.ban_user(
            conn,
            community_id=community.row_id,
            user_id=target["id"],
            moderator_id=viewer.user_id,
            reason=reason,
            expires_at=input.expires_at,
        )
        entry = await repository.log_action(
            conn,
            community_id=community.row_id,
            moderator_id=viewer.user_id,
            action="BAN_USER",
            reason=reason,
            target_user_id=target["id"],
        )
        written = await events.moderated(
            conn,
            kind="BANNED",
            modlog_id=entry,
            user_id=target["id"],
            moderator_id=viewer.user_id,
            about=About(community_id=community.row_id),
        )
    await events.announce(info.context.pubsub, written)
    return Ban(
        community=community,
        user=User.from_row(target),
        reason=ban["reason"],
        expires_at=ban["expires_at"],
        created_at=ban["created_at"],
    )


async def unban_user(
    info: Info,
    community: CommunityName,
    address: Annotated[
        str, strawberry.argument(description="The wallet address of whom to unban.")
    ],
) -> bool:
    found = await get_community_or_404(info, community)
    viewer = await permissions.require_moderator(info, found.row_id, found.name)
    target = await _user_or_404(info, address)
    async with info.context.pool.acquire() as conn, conn.transaction():
        if not await repository.unban_user(conn, community_id=found.row_id, user_id=target["id"]):
            raise NotFound(f"{address.strip()} is not banned from c/{found.name}.")
        await repository.log_action(
            conn,
            community_id=found.row_id,
            moderator_id=viewer.user_id,
            action="UNBAN_USER",
            reason=None,
            target_user_id=target["id"],
        )
    return True


async def report(
    info: Info, target_id: ItemId, reason: Annotated[str, strawberry.argument(description="Why.")]
) -> bool:
    """Flag a post or comment to the community's moderators (once per person and target)."""
    viewer = await permissions.require_writer(info)
    kind, row_id = ids.decode(target_id, "Post", "Comment", field="targetId")
    text = validation.text(reason, field="reason", label="The reason", max_length=500)
    if kind == "Post":
        row = await info.context.loaders.get(POST).load(row_id)
        community_id = row["community_id"] if row else None
    else:
        rows = await comments.get_comment_views_by_ids(info.context.pool, comment_ids=[row_id])
        community_id = rows[0]["community_id"] if rows else None
    if community_id is None:
        raise NotFound(f"That {kind.lower()} does not exist.")
    await permissions.require_not_banned(info, community_id)
    await repository.create_report(
        info.context.pool,
        community_id=community_id,
        reporter_id=viewer.user_id,
        post_id=row_id if kind == "Post" else None,
        comment_id=row_id if kind == "Comment" else None,
        reason=text,
    )
    return True


async def _report_or_404(info: Info, report_id: int) -> asyncpg.Record:
    row = await repository.get_report_by_id(info.context.pool, report_id=report_id)
    if row is None:
        raise NotFound("That report does not exist.")
    return row


async def _report_of_moderator(info: Info, id: strawberry.ID) -> tuple[int, Viewer]:
    """The row id of report `id`, once the viewer is known to moderate its community."""
    report_id = ids.decode_one(id, "Report")
    community_id = (await _report_or_404(info, report_id))["community_id"]
    viewer = await permissions.require_moderator(
        info, community_id, await _community_name(info, community_id)
    )
    return report_id, viewer


async def resolve_report(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The report's global id.")],
) -> Report:
    """Take a report off the moderators' queue. Resolving a resolved report changes nothing (the
    first resolution stands), so two moderators clearing the queue at once do no harm."""
    report_id, viewer = await _report_of_moderator(info, id)
    await repository.resolve_report(
        info.context.pool, report_id=report_id, moderator_id=viewer.user_id
    )
    return Report.from_row(await _report_or_404(info, report_id))


async def reopen_report(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The report's global id.")],
) -> Report:
    """Put a resolved report back on the queue; reopening an open report changes nothing."""
    report_id, _ = await _report_of_moderator(info, id)
    await repository.reopen_report(info.context.pool, report_id=report_id)
    return Report.from_row(await _report_or_404(info, report_id))


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class ModerationMutation:
    remove_post = strawberry.mutation(
        description="Removes a post from the community (its moderators only).", resolver=remove_post
    )
    remove_comment = strawberry.mutation(
        description="Removes a comment from the community (its moderators only).",
        resolver=remove_comment,
    )
    ban_user = strawberry.mutation(
        description="Bans a person from the community (its moderators only).", resolver=ban_user
    )
    unban_user = strawberry.mutation(
        description="Lifts a person's ban (the community's moderators only).", resolver=unban_user
    )
    report = strawberry.mutation(
        description="Reports a post or comment to the community's moderators.", resolver=report
    )
    resolve_report = strawberry.mutation(
        description="Marks a report resolved (the community's moderators only).",
        resolver=resolve_report,
    )
    reopen_report = strawberry.mutation(
        description="Reopens a resolved report (the community's moderators only).",
        resolver=reopen_report,
    )
