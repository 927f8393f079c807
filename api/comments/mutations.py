"""Mutations of comments by their authors: create (or reply), edit, delete."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from agora.db import Executor
from api.comments import repository
from api.comments.types import MAX_DEPTH, Comment, comment_for_viewer
from api.core import idempotency, ids, permissions, validation
from api.core.errors import BadUserInput, NotFound
from api.core.rows import only_row, undeleted
from api.core.types import CommentId, Info
from api.inbox import events, mentions
from api.inbox.repository import Written
from api.posts import repository as posts
from api.posts.authored import delete_own, edit_own
from api.posts.loaders import POST


@strawberry.input(description="A new comment.")
class CreateCommentInput:
    post_id: strawberry.ID = strawberry.field(description="The id of the post it is on.")
    body: str = strawberry.field(description="Its text in markdown.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The id of the comment it replies to; null for a top-level comment.",
    )


@strawberry.input(description="A new version of one's own comment.")
class EditCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment's id.")
    body: str = strawberry.field(description="Its new text in markdown.")


async def _body(info: Info, body: str) -> tuple[str, str]:
    text = validation.text(body, field="body", label="The comment", max_length=10000)
    return text, await info.context.renderer.render_stored(text)


async def load_comment(info: Info, comment_id: int) -> Comment:
    rows = await repository.get_comment_views_by_ids(info.context.pool, comment_ids=[comment_id])
    return await comment_for_viewer(info, only_row(rows, "comment"))


async def lock_comment_or_404(conn: Executor, comment_id: int) -> asyncpg.Record:
    return undeleted(await repository.lock_comment(conn, comment_id=comment_id), "comment")


async def create_comment(
    info: Info,
    input: Annotated[CreateCommentInput, strawberry.argument(description="The comment.")],
) -> Comment:
    viewer = await permissions.require_writer(info)
    post_id = ids.decode_one(input.post_id, "Post", field="postId")
    parent_id = (
        ids.decode_one(input.parent_id, "Comment", field="parentId") if input.parent_id else None
    )
    body, body_html = await _body(info, input.body)
    mentioned = mentions.mentioned(body)
    await permissions.limit_mentions(info, viewer, len(mentioned))
    post = await info.context.loaders.get(POST).load(post_id)
    if post is None:
        raise NotFound("That post does not exist or no longer takes comments.")
    await permissions.require_not_banned(info, post["community_id"], post["community"]["name"])
    written: list[Written] = []

    async def write(conn: Executor) -> int:
        # The post's lock orders this comment with edits, deletions and removals of the post;
        # what was read above is checked again under it.
        locked = await posts.lock_post(conn, post_id=post_id)
        if locked is None or locked["deleted_at"] is not None or locked["removed_at"] is not None:
            raise NotFound("That post does not exist or no longer takes comments.")
        parent_path: list[int] = []
        replied_to = locked["author_id"]
        if parent_id is not None:
            parent = await repository.get_comment_for_reply(conn, comment_id=parent_id)
            if parent is None or parent["post_id"] != post_id:
                raise BadUserInput(
                    "You are replying to a comment of another post.", field="parentId"
                )
            if parent["deleted_at"] is not None or parent["removed_at"] is not None:
                raise BadUserInput(
                    "That comment was deleted; it takes no replies.", field="parentId"
                )
            if len(parent["path"]) >= MAX_DEPTH:
                raise BadUserInput("This thread is too deep to reply to.", field="parentId")
            parent_path = list(parent["path"])
            replied_to = parent["author_id"]
        comment_id = await repository.create_comment(
            conn,
            post_id=post_id,
            parent_id=parent_id,
            parent_path=parent_path,
            author_id=viewer.user_id,
            body=body,
            body_html=body_html,
        )
        written.extend(
            await events.replied(
                conn,
                comment_id=comment_id,
                post_id=post_id,
                community_id=locked["community_id"],
                actor_id=viewer.user_id,
                replied_to=replied_to,
                mentions=mentioned,
            )
        )
        return comment_id

    comment_id, created = await idempotency.write_once(
        info, viewer.user_id, operation="createComment", input=input, write=write
    )
    if created:
        await info.context.pubsub.comment_created(post_id=post_id, comment_id=comment_id)
        await events.announce(info.context.pubsub, written)
    return await load_comment(info, comment_id)


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
# The steps of an edit and a deletion are api.posts.authored's edit_own and delete_own; what is
# left here (and in api/posts/mutations.py, alike by design) is which rows they lock and write.
async def edit_comment(
    info: Info,
    input: Annotated[EditCommentInput, strawberry.argument(description="The new version.")],
) -> Comment:
    viewer = await permissions.require_writer(info)
    comment_id = ids.decode_one(input.id, "Comment")
    body, body_html = await _body(info, input.body)
    mentioned = mentions.mentioned(body)
    await permissions.limit_mentions(info, viewer, len(mentioned))
    rows = await repository.get_comment_views_by_ids(info.context.pool, comment_ids=[comment_id])
    if rows:
        await permissions.require_not_banned(info, rows[0]["community_id"])
    await edit_own(
        info,
        viewer,
        comment_id,
        "Comment",
        mentioned=mentioned,
        lock=lock_comment_or_404,
        edit=lambda conn: repository.edit_comment(
            conn, comment_id=comment_id, body=body, body_html=body_html
        ),
    )
    return await load_comment(info, comment_id)


async def delete_comment(info: Info, id: CommentId) -> Comment:
    comment_id = await delete_own(
        info,
        id,
        "Comment",
        lock=lock_comment_or_404,
        delete=lambda conn, row_id: repository.delete_comment(conn, comment_id=row_id),
    )
    return await load_comment(info, comment_id)


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class CommentMutation:
    create_comment = strawberry.mutation(
        description="Comments on a post, or replies to a comment.", resolver=create_comment
    )
    edit_comment = strawberry.mutation(
        description="Edits one's own comment (its earlier version is kept in `revisions`).",
        resolver=edit_comment,
    )
    delete_comment = strawberry.mutation(
        description="Deletes one's own comment: its text and author are gone, its replies stay.",
        resolver=delete_comment,
    )
