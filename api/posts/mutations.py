"""Mutations of posts by their authors: create, edit, delete."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from agora.db import Executor
from api.communities.mutations import get_community_or_404
from api.core import idempotency, ids, permissions, validation
from api.core.rows import only_row, undeleted
from api.core.types import Info, PostId
from api.inbox import events, mentions
from api.inbox.repository import About, Written
from api.posts import repository
from api.posts.authored import delete_own, edit_own
from api.posts.loaders import POST
from api.posts.types import Post, post_for_viewer


# A schema input, field by field: alike in shape to others by design (see api/core/types.py).
@strawberry.input(description="A new post: a text post (`body`) or a link post (`url`).")
class CreatePostInput:
    community: str = strawberry.field(description="The community's name.")
    title: str = strawberry.field(description="Its title.")
    body: str | None = strawberry.field(
        default=None, description="Its text in markdown (at most 40,000 characters)."
    )
    url: str | None = strawberry.field(
        default=None, description="The link it shares (http or https)."
    )


@strawberry.input(description="A new version of one's own post (its title stays).")
class EditPostInput:
    id: strawberry.ID = strawberry.field(description="The post's id.")
    body: str | None = strawberry.field(default=None, description="Its new text in markdown.")
    url: str | None = strawberry.field(default=None, description="Its new link.")


BODY_MAX_LENGTH = 40000


async def _body(info: Info, body: str | None) -> tuple[str | None, str | None]:
    text = validation.optional_text(
        body, field="body", label="The text", max_length=BODY_MAX_LENGTH
    )
    return text, await info.context.renderer.render_stored(text) if text else None


async def load_post(info: Info, post_id: int) -> Post:
    """The post as it is now (after a write: not from the request's loader cache)."""
    rows = await repository.get_post_views_by_ids(info.context.pool, post_ids=[post_id])
    return await post_for_viewer(info, only_row(rows, "post"))


async def lock_post_or_404(conn: Executor, post_id: int) -> asyncpg.Record:
    return undeleted(await repository.lock_post(conn, post_id=post_id), "post")


async def create_post(
    info: Info, input: Annotated[CreatePostInput, strawberry.argument(description="The post.")]
) -> Post:
    viewer = await permissions.require_writer(info)
    community = await get_community_or_404(info, input.community)
    await permissions.require_not_banned(info, community.row_id, community.name)
    title = validation.text(input.title, field="title", label="The title", max_length=300)
    url = validation.link(input.url)
    body, body_html = await _body(info, input.body)
    mentioned = mentions.mentioned(title, body)
    await permissions.limit_mentions(info, viewer, len(mentioned))
    written: list[Written] = []

    async def write(conn: Executor) -> int:
        post_id = await repository.create_post(
            conn,
            community_id=community.row_id,
            author_id=viewer.user_id,
            title=title,
            body=body,
            body_html=body_html,
            url=url,
        )
        written.extend(
            await events.mentioned_in(
                conn,
                about=About(community_id=community.row_id, post_id=post_id),
                actor_id=viewer.user_id,
                mentions=mentioned,
            )
        )
        return post_id

    post_id, created = await idempotency.write_once(
        info, viewer.user_id, operation="createPost", input=input, write=write
    )
    if created:
        await info.context.pubsub.post_created(community_id=community.row_id, post_id=post_id)
        await events.announce(info.context.pubsub, written)
    return await load_post(info, post_id)


# The steps of an edit and a deletion are api.posts.authored's edit_own and delete_own; what is
# left here (and in api/comments/mutations.py, alike by design) is which rows they lock and write.
async def edit_post(
    info: Info, input: Annotated[EditPostInput, strawberry.argument(description="The new version.")]
) -> Post:
    viewer = await permissions.require_writer(info)
    post_id = ids.decode_one(input.id, "Post")
    url = validation.link(input.url)
    found = await info.context.loaders.get(POST).load(post_id)
    if found is not None:
        await permissions.require_not_banned(
            info, found["community_id"], found["community"]["name"]
        )
    body, body_html = await _body(info, input.body)
    mentioned = mentions.mentioned(body)
    await permissions.limit_mentions(info, viewer, len(mentioned))
    await edit_own(
        info,
        viewer,
        post_id,
        "Post",
        mentioned=mentioned,
        lock=lock_post_or_404,
        edit=lambda conn: repository.edit_post(
            conn, post_id=post_id, body=body, body_html=body_html, url=url
        ),
    )
    return await load_post(info, post_id)


async def delete_post(info: Info, id: PostId) -> Post:
    post_id = await delete_own(
        info,
        id,
        "Post",
        lock=lock_post_or_404,
        delete=lambda conn, row_id: repository.delete_post(conn, post_id=row_id),
    )
    return await load_post(info, post_id)


@strawberry.type
class PostMutation:
    create_post = strawberry.mutation(description="Posts in a community.", resolver=create_post)
    edit_post = strawberry.mutation(
        description="Edits one's own post (its earlier version is kept in `revisions`).",
        resolver=edit_post,
    )
    delete_post = strawberry.mutation(
        description="Deletes one's own post: its text and author are gone, its comments stay.",
        resolver=delete_post,
    )
