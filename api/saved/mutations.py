"""Saving and unsaving a post or comment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.comments import repository as comments_repository
from api.core import ids, permissions
from api.core.rows import undeleted
from api.core.types import Info, ItemId
from api.posts.loaders import POST
from api.saved import repository


async def save(
    info: Info,
    target_id: ItemId,
    saved: Annotated[bool, strawberry.argument(description="True to save, false to unsave.")],
) -> bool:
    """Save (or, with `saved: false`, unsave) a post or comment for the viewer; true when done.
    Deleted content cannot be saved; it can always be unsaved."""
    viewer = await permissions.require_writer(info)
    kind, row_id = ids.decode(target_id, "Post", "Comment", field="targetId")
    pool = info.context.pool
    if kind == "Post":
        if saved:
            undeleted(await info.context.loaders.get(POST).load(row_id), "post")
        await repository.save_post(pool, user_id=viewer.user_id, post_id=row_id, saved=saved)
    else:
        if saved:
            rows = await comments_repository.get_comment_views_by_ids(pool, comment_ids=[row_id])
            undeleted(rows[0] if rows else None, "comment")
        await repository.save_comment(pool, user_id=viewer.user_id, comment_id=row_id, saved=saved)
    return True


@strawberry.type
class SavedMutation:
    save = strawberry.mutation(
        description="Saves a post or comment for the signed-in person, or unsaves it.",
        resolver=save,
    )
