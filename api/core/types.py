"""Type aliases shared by every domain of the schema, and strawberry's resolver decorators as
strict mypy can check them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar, cast

import strawberry

from api.core.context import Context
from api.core.pagination import MAX_PAGE_SIZE

Info = strawberry.Info[Context, None]

# Declarations alike by design. The schema is written as strawberry reads it: each enum value,
# field, argument and root field on its own line (or three), with the description a client
# reads in GraphiQL. Two enums, two object types, two domains' root Query or Mutation classes,
# two argument lists, or the steps of two paged fields (each step already one call) can then
# match line for line in shape while they declare different parts of the schema. They stay
# written out: a table that generated them would hide from the reader what the schema says.
# Where a duplicates report pairs such places, a comment there says so and points here.

# Arguments many fields take, described once.
CommunityName = Annotated[str, strawberry.argument(description="The community's name.")]
PostId = Annotated[strawberry.ID, strawberry.argument(description="The post's global id.")]
CommentId = Annotated[strawberry.ID, strawberry.argument(description="The comment's global id.")]
ItemId = Annotated[
    strawberry.ID, strawberry.argument(description="The post's or comment's global id.")
]

# The arguments of every paged field.
First = Annotated[
    int,
    strawberry.argument(description=f"How many items to return: 1 to {MAX_PAGE_SIZE}."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="The `endCursor` of the page before (its `pageInfo`); null for the first page."
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def field(
    *,
    description: str,
    metadata: Mapping[str, object] | None = None,
    graphql_type: object = None,
) -> Callable[[F], F]:
    """`@strawberry.field(description=…)` on a resolver method. Strawberry types that form
    (with arguments) as its dataclass field, Any, which strict mypy refuses as a decorator; here
    the method keeps its own type for mypy, and strawberry gets its field. `graphql_type` is
    the field's type where the method's own cannot say it (an answer now or an awaitable)."""

    def decorate(resolver: F) -> F:
        made = strawberry.field(
            resolver=resolver,
            description=description,
            metadata=metadata,
            graphql_type=graphql_type,
        )
        return cast(F, made)

    return decorate


def subscription(*, description: str) -> Callable[[F], F]:
    """`@strawberry.subscription(description=…)`, typed as `field` is."""

    def decorate(resolver: F) -> F:
        return cast(F, strawberry.subscription(resolver=resolver, description=description))

    return decorate
