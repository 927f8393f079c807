"""Authorization, in one place: every resolver that needs a signed-in viewer, a moderator or an
author asks here, so the rules can be read (and audited) on one page."""

from __future__ import annotations

import asyncpg

from agora import sql
from api.core import ratelimit
from api.core.context import Viewer
from api.core.errors import BadUserInput, Forbidden, Unauthenticated
from api.core.types import Info

queries = sql.load(__file__, "permissions.sql")


def require_viewer(info: Info) -> Viewer:
    viewer = info.context.viewer
    if viewer is None:
        raise Unauthenticated("Sign in with your wallet to do that.")
    return viewer


async def require_writer(info: Info) -> Viewer:
    """A signed-in viewer allowed to write now: CSRF-checked and within the write rate limit."""
    viewer = require_viewer(info)
    if viewer.via_cookie and not viewer.csrf_ok:
        raise Forbidden(
            "This request is missing its X-CSRF-Token header; reload the page and try again."
        )
    await limit_writes(info, account=viewer.user_id)
    return viewer


async def limit_writes(info: Info, *, account: int | None = None, cost: int = 1) -> None:
    """Count a write (or `cost` writes) against the caller's IP, and their account when signed
    in."""
    settings = info.context.settings
    await _count(
        info,
        "",
        account,
        limit=settings.write_rate_limit,
        window=settings.write_rate_window_seconds,
        cost=cost,
    )


async def limit_mentions(info: Info, viewer: Viewer, mentions: int) -> None:
    """Each person a post or comment mentions is notified: a write of its own, so mentions
    count against the write rate limit (a flood of mentions is refused like a flood of posts)."""
    if mentions:
        await limit_writes(info, account=viewer.user_id, cost=mentions)


async def limit_renders(info: Info) -> None:
    """Count a markdown preview against the caller's IP, and their account when signed in: a
    quota of its own, so that previewing never spends the writes it prepares."""
    settings = info.context.settings
    viewer = info.context.viewer
    await _count(
        info,
        "render:",
        viewer.user_id if viewer else None,
        limit=settings.render_rate_limit,
        window=settings.render_rate_window_seconds,
    )


async def _count(
    info: Info, quota: str, account: int | None, *, limit: int, window: int, cost: int = 1
) -> None:
    keys = [f"{quota}ip:{info.context.client_ip}"]
    if account is not None:
        keys.append(f"{quota}user:{account}")
    await ratelimit.hit(info.context.redis, keys, limit=limit, window=window, cost=cost)


async def is_moderator(info: Info, community_id: int) -> bool:
    if info.context.viewer is None:
        return False
    return (await info.context.loaders.standing.load(community_id)).moderator


async def require_moderator(info: Info, community_id: int, community_name: str) -> Viewer:
    viewer = await require_writer(info)
    if not await is_moderator(info, community_id):
        raise Forbidden(f"Only moderators of c/{community_name} can do that.")
    return viewer


async def require_moderator_to_read(
    info: Info, community_id: int, community_name: str, what: str
) -> Viewer:
    """A moderator reading the community's private lists (its reports, its bans). A read, so
    neither the CSRF token nor the write quota of `require_moderator` applies."""
    viewer = require_viewer(info)
    if not await is_moderator(info, community_id):
        raise Forbidden(f"Only moderators of c/{community_name} can read its {what}.")
    return viewer


async def require_not_banned(
    info: Info, community_id: int, community_name: str | None = None
) -> None:
    """People banned from a community take no part in it: they cannot join it, post, comment,
    edit what they wrote there, vote or report in it (they can still read it, and delete what
    they wrote). Every such mutation asks here before it takes a database connection.

    A ban that commits while such a write is under way does not stop it: the write is ordered
    before the ban, as if it had come a moment earlier."""
    if (await info.context.loaders.standing.load(community_id)).banned:
        raise banned_from(community_name)


def banned_from(community_name: str | None = None) -> Forbidden:
    """The refusal of a banned person's part in a community (see `require_not_banned`)."""
    where = f"c/{community_name}" if community_name else "this community"
    return Forbidden(f"You are banned from {where}.")


def require_author(viewer: Viewer, author_id: int, what: str) -> None:
    if viewer.user_id != author_id:
        raise Forbidden(f"Only the author can change this {what}.")


def require_editable(viewer: Viewer, row: asyncpg.Record, what: str) -> None:
    """The locked post or comment `row` is the viewer's own, and no moderator removed it (a
    removed text stays as it was removed, for the modlog and an appeal)."""
    require_author(viewer, row["author_id"], what)
    if row["removed_at"] is not None:
        raise BadUserInput(f"A moderator removed this {what}; it can no longer be edited.")


async def can_see_removed(info: Info, *, author_id: int, community_id: int) -> bool:
    """Removed content stays visible to its author and the community's moderators."""
    viewer = info.context.viewer
    if viewer is None:
        return False
    return viewer.user_id == author_id or await is_moderator(info, community_id)


async def is_moderator_of(info: Info, community_id: int, user_id: int) -> bool:
    """Whether someone (not the viewer) moderates the community, among all its moderators (the
    `moderators` field shows only the first fifty)."""
    found: bool = await info.context.pool.fetchval(queries.is_moderator, community_id, user_id)
    return found
