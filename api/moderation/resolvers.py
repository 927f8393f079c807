"""Query fields of moderation: the public log, and reports and bans (moderators only)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.communities.mutations import get_community_or_404
from api.communities.types import Community
from api.core import permissions
from api.core.pagination import Connection, Keyset, check_page_size, int32, moment, row_id
from api.core.types import After, CommunityName, First, Info
from api.moderation import repository
from api.moderation.types import Ban, ModlogEntry, Report

_MAX_ID = 2**63 - 1

_MODLOG = Keyset(
    "modlog",
    (moment, int32, row_id),
    lambda r: [r["created_at"].isoformat(), r["source"], r["sequence"]],
)
# Both report lists are ordered by id alone, so a cursor of one is a valid place in the other.
_REPORTS = Keyset("reports", (row_id,), lambda r: [r["id"]])
_BANS = Keyset("bans", (moment, row_id), lambda r: [r["created_at"].isoformat(), r["user_id"]])


async def modlog(
    info: Info, community: CommunityName, first: First = 25, after: After = None
) -> Connection[ModlogEntry]:
    """Every moderator action in the community, and every election and impeachment of its
    moderators on-chain, newest first; public, as Lemmy's modlog is."""
    check_page_size(first)
    found = await get_community_or_404(info, community)
    key = _MODLOG.after(after)
    rows = await repository.list_modlog(
        info.context.pool,
        community_id=found.row_id,
        before=(key[0], key[1], key[2]) if key else None,
        limit=first + 1,
    )
    return _MODLOG.page(rows, first, ModlogEntry.from_row)


async def _community_of_moderator(info: Info, community: str, what: str) -> Community:
    """The community, once the viewer is known to moderate it (its `what` is theirs to read)."""
    permissions.require_viewer(info)
    found = await get_community_or_404(info, community)
    await permissions.require_moderator_to_read(info, found.row_id, found.name, what)
    return found


async def reports(
    info: Info,
    community: CommunityName,
    first: First = 25,
    after: After = None,
    unresolved_only: Annotated[
        bool, strawberry.argument(description="Only those no moderator has resolved.")
    ] = True,
) -> Connection[Report]:
    """The community's reports, newest first: by default only the open ones, the moderators'
    queue; with unresolvedOnly: false the resolved ones too."""
    check_page_size(first)
    found = await _community_of_moderator(info, community, "reports")
    key = _REPORTS.after(after)
    list_reports = repository.list_open_reports if unresolved_only else repository.list_reports
    rows = await list_reports(
        info.context.pool,
        community_id=found.row_id,
        before_id=key[0] if key else _MAX_ID,
        limit=first + 1,
    )
    return _REPORTS.page(rows, first, Report.from_row)


async def bans(
    info: Info, community: CommunityName, first: First = 25, after: After = None
) -> Connection[Ban]:
    """The people banned from the community now (expired bans are over), newest ban first."""
    check_page_size(first)
    found = await _community_of_moderator(info, community, "bans")
    key = _BANS.after(after)
    rows = await repository.list_bans(
        info.context.pool,
        community_id=found.row_id,
        after=(key[0], key[1]) if key else None,
        limit=first + 1,
    )
    return _BANS.page(rows, first, lambda r: Ban.from_row(r, found))


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class ModerationQuery:
    modlog = strawberry.field(
        description="A community's moderation log, newest first.", resolver=modlog
    )
    reports = strawberry.field(
        description="A community's reports, newest first: for its moderators.", resolver=reports
    )
    bans = strawberry.field(
        description="A community's current bans, newest first: for its moderators.", resolver=bans
    )
