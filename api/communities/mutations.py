"""Mutations of communities: create, join, leave."""

from __future__ import annotations

import re
from typing import Annotated

import strawberry

from agora.db import Executor
from api.communities import repository
from api.communities.for_viewer import community_for_viewer
from api.communities.types import Community
from api.core import idempotency, permissions, validation
from api.core.errors import BadUserInput, Conflict, NotFound, shown
from api.core.types import CommunityName, Info

# The web forum's form takes these numbers from frontend/src/limits.json (api.server.export_schema).
NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 32
NAME = re.compile(rf"^[a-z0-9_]{{{NAME_MIN_LENGTH},{NAME_MAX_LENGTH}}}$")


@strawberry.input(description="A new community.")
class CreateCommunityInput:
    name: str = strawberry.field(
        description="Its unique name: 3 to 32 lower-case letters, digits and underscores."
    )
    title: str = strawberry.field(description="Its title.")
    description: str = strawberry.field(default="", description="What it is about, in markdown.")
    rules: list[str] = strawberry.field(description="Its rules, in order.", default_factory=list)


async def get_community_or_404(info: Info, name: str) -> Community:
    row = await repository.get_community_by_name(info.context.pool, name=name.lower())
    if row is None:
        raise NotFound(f"There is no community named c/{shown(name)}.")
    return await community_for_viewer(info, row)


# Its arguments as the schema declares them: alike in shape by design (see api/core/types.py).
async def create_community(
    info: Info,
    input: Annotated[CreateCommunityInput, strawberry.argument(description="The community.")],
) -> Community:
    viewer = await permissions.require_writer(info)
    name = input.name.strip().lower()
    if not NAME.match(name):
        raise BadUserInput(
            f"A community name has {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters: lower-case "
            "letters, digits and underscores.",
            field="name",
        )
    title = validation.text(input.title, field="title", label="The title", max_length=100)
    description = validation.text(
        input.description,
        field="description",
        label="The description",
        min_length=0,
        max_length=10000,
    )
    if len(input.rules) > 15:
        raise BadUserInput("A community can have at most 15 rules.", field="rules")
    rules = [
        validation.text(rule, field="rules", label="A rule", max_length=500) for rule in input.rules
    ]
    description_html = await info.context.renderer.render_stored(description)

    async def write(conn: Executor) -> int:
        row = await repository.create_community(
            conn,
            name=name,
            title=title,
            description=description,
            description_html=description_html,
            rules=rules,
            creator_id=viewer.user_id,
        )
        if row is None:
            raise Conflict(f"The name c/{name} is taken; choose another.", field="name")
        community_id: int = row["id"]
        return community_id

    community_id, _ = await idempotency.write_once(
        info, viewer.user_id, operation="createCommunity", input=input, write=write
    )
    [row] = await repository.get_communities_by_ids(info.context.pool, community_ids=[community_id])
    return await community_for_viewer(info, row)


async def join_community(info: Info, name: CommunityName) -> Community:
    viewer = await permissions.require_writer(info)
    community = await get_community_or_404(info, name)
    await permissions.require_not_banned(info, community.row_id, community.name)
    await repository.join_community(
        info.context.pool, community_id=community.row_id, user_id=viewer.user_id
    )
    info.context.loaders.forget_standing(community.row_id)
    return await get_community_or_404(info, name)


async def leave_community(info: Info, name: CommunityName) -> Community:
    viewer = await permissions.require_writer(info)
    community = await get_community_or_404(info, name)
    await repository.leave_community(
        info.context.pool, community_id=community.row_id, user_id=viewer.user_id
    )
    info.context.loaders.forget_standing(community.row_id)
    return await get_community_or_404(info, name)


@strawberry.type
class CommunityMutation:
    create_community = strawberry.mutation(
        description=(
            "Creates a community, its creator the first member; its token and "
            "governor are created on-chain by the operator."
        ),
        resolver=create_community,
    )
    join_community = strawberry.mutation(
        description="Makes the signed-in person a member.", resolver=join_community
    )
    leave_community = strawberry.mutation(
        description="Ends the signed-in person's membership.", resolver=leave_community
    )
