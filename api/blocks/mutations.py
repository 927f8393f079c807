"""Blocking and unblocking a person or a community."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.blocks import repository
from api.communities.resolvers import community_id_or_404
from api.core import permissions, validation
from api.core.errors import BadUserInput, NotFound
from api.core.types import CommunityName, Info
from api.users import repository as users_repository

# The most people, and the most communities, one member blocks: every listing of theirs leaves
# them out by a list of ids in its query, which must stay short.
MAX_BLOCKS = 500


async def _check_room(info: Info, user_id: int, kind: str) -> None:
    counts = await repository.count_blocks(info.context.pool, user_id=user_id)
    if counts[kind] >= MAX_BLOCKS:
        raise BadUserInput(
            f"You block {MAX_BLOCKS} {kind} already; unblock one before blocking another."
        )


async def block_user(
    info: Info,
    address: Annotated[str, strawberry.argument(description="Their wallet address.")],
    blocked: Annotated[bool, strawberry.argument(description="True to block, false to unblock.")],
) -> bool:
    """Block (or, with `blocked: false`, unblock) a person: their posts and comments are gone
    from the viewer's listings and they cannot notify the viewer. True when done."""
    viewer = await permissions.require_writer(info)
    wallet = validation.address(address, field="address")
    if wallet == viewer.address:
        raise BadUserInput("You cannot block yourself.", field="address")
    row = await users_repository.get_user_by_address(info.context.pool, address=wallet)
    if row is None:
        raise NotFound("Nobody with that address uses Agora.")
    if blocked:
        await _check_room(info, viewer.user_id, "users")
    await repository.block_user(
        info.context.pool, blocker_id=viewer.user_id, blocked_id=row["id"], blocked=blocked
    )
    return True


async def block_community(
    info: Info,
    name: CommunityName,
    blocked: Annotated[bool, strawberry.argument(description="True to block, false to unblock.")],
) -> bool:
    """Block (or unblock) a community: its posts are gone from the viewer's front page (its own
    page still shows them). True when done."""
    viewer = await permissions.require_writer(info)
    community_id = await community_id_or_404(info, name)
    if blocked:
        await _check_room(info, viewer.user_id, "communities")
    await repository.block_community(
        info.context.pool, user_id=viewer.user_id, community_id=community_id, blocked=blocked
    )
    return True


@strawberry.type
class BlockMutation:
    block_user = strawberry.mutation(
        description=(
            "Blocks a person (their posts and comments are left out for the "
            "viewer), or unblocks them."
        ),
        resolver=block_user,
    )
    block_community = strawberry.mutation(
        description="Blocks a community (left out of the viewer's listings), or unblocks it.",
        resolver=block_community,
    )
