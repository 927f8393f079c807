"""Query fields of moderation: the public log, and reports (moderators only)."""

from __future__ import annotations

import strawberry

from api import permissions
from api.communities.mutations import get_community_or_404
from api.errors import Forbidden
from api.moderation import repository
from api.moderation.types import ModlogEntry, Report
from api.pagination import Connection, check_page_size, connection, decode_cursor, encode_cursor
from api.types import Info

_MAX_ID = 2**63 - 1


async def modlog(
    info: Info, community: str, first: int = 25, after: str | None = None
) -> Connection[ModlogEntry]:
    """Every moderator action in the community, newest first; public, as Lemmy's modlog is."""
    check_page_size(first)
    found = await get_community_or_404(info, community)
    key = decode_cursor(after, "modlog", 1)
    rows = await repository.list_modlog(
        info.context.pool,
        community_id=found.row_id,
        before_id=key[0] if key else _MAX_ID,
        limit=first + 1,
    )
    return connection(
        rows, first, node=ModlogEntry.from_row, cursor=lambda r: encode_cursor("modlog", [r["id"]])
    )


async def reports(
    info: Info, community: str, first: int = 25, after: str | None = None
) -> Connection[Report]:
    check_page_size(first)
    permissions.require_viewer(info)
    found = await get_community_or_404(info, community)
    if not await permissions.is_moderator(info, found.row_id):
        raise Forbidden(f"Only moderators of c/{found.name} can read its reports.")
    key = decode_cursor(after, "reports", 1)
    rows = await repository.list_reports(
        info.context.pool,
        community_id=found.row_id,
        before_id=key[0] if key else _MAX_ID,
        limit=first + 1,
    )
    return connection(
        rows, first, node=Report.from_row, cursor=lambda r: encode_cursor("reports", [r["id"]])
    )


@strawberry.type
class ModerationQuery:
    modlog = strawberry.field(resolver=modlog)
    reports = strawberry.field(resolver=reports)
