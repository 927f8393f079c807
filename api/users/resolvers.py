"""Query field `user(address)` and the profile mutation."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.core import permissions, validation
from api.core.types import Info
from api.users import repository
from api.users.types import User


async def user(
    info: Info,
    address: Annotated[
        str,
        strawberry.argument(
            description=(
                "Their wallet address (any letter case; a mixed-case one must pass "
                "its EIP-55 checksum)."
            )
        ),
    ],
) -> User | None:
    address = validation.address(address, field="address")
    row = await repository.get_user_by_address(info.context.pool, address=address)
    return User.from_row(row) if row else None


@strawberry.input(description="The profile fields to change; a field left null keeps its value.")
class UpdateProfileInput:
    display_name: str | None = strawberry.field(
        default=None,
        description=(
            "The name shown beside their address; null keeps it, an empty string clears it."
        ),
    )
    bio: str | None = strawberry.field(
        default=None,
        description=(
            "A short text about them (plain text); null keeps it, an empty string clears it."
        ),
    )


async def update_profile(
    info: Info,
    input: Annotated[UpdateProfileInput, strawberry.argument(description="The fields to change.")],
) -> User:
    """Set the display name and bio; an empty string clears one, a missing field keeps it."""
    viewer = await permissions.require_writer(info)
    display_name = validation.optional_text(
        input.display_name, field="displayName", label="The display name", max_length=50
    )
    bio = validation.optional_text(input.bio, field="bio", label="The bio", max_length=1000)
    row = await repository.update_profile(
        info.context.pool,
        user_id=viewer.user_id,
        display_name=display_name,
        set_display_name=input.display_name is not None,
        bio=bio,
        set_bio=input.bio is not None,
    )
    return User.from_row(row)


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class UserQuery:
    user = strawberry.field(
        description="The person of a wallet address; null if they never signed in.", resolver=user
    )


@strawberry.type
class UserMutation:
    update_profile = strawberry.mutation(
        description="Changes the signed-in person's profile.", resolver=update_profile
    )
