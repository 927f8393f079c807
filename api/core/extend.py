"""GraphQL's `extend type` for strawberry: a field of a low type resolved by a higher domain.

User and Community live in the lowest domains, which every other domain builds on, while some of
their fields name what builds on them (a person's posts, comments and rewards). Declared on the
type itself, such a field would import its domain from below: an import cycle, which the api's
layer and acyclic contracts forbid. So the higher domain writes the resolver (taking the low
object as `root`) and offers an `attach()`; the schema's composition (`api.server.schema`, the
top) calls every `attach()` before building the schema, and the edge goes downward.

Strawberry has no `extend type`; a type's definition keeps its fields in a list, read when the
schema is built, so the field is put there with what `@strawberry.type` would have given it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField


def extend_type(
    cls: type,
    name: str,
    resolver: Callable[..., Any],
    *,
    description: str,
    before: str | None = None,
    metadata: dict[str, Any] | None = None,
    graphql_type: object = None,
) -> None:
    """Add the field `name` (a Python name) resolved by `resolver` to the strawberry type `cls`,
    described for clients by `description`, placed before the field `before` (so the printed
    schema keeps its order), else last, with strawberry field `metadata` (a list's MAX_ITEMS);
    `graphql_type` where the resolver's own cannot say it (an answer now or an awaitable).
    Attaching twice is harmless."""
    definition = get_object_definition(cls, strict=True)
    names = [f.python_name for f in definition.fields]
    if name in names:
        return
    # strawberry.field is typed as returning the resolver's value (for dataclass fields).
    field = cast(
        StrawberryField,
        strawberry.field(
            resolver=resolver,
            metadata=metadata,
            description=description,
            graphql_type=graphql_type,
        ),
    )
    field.python_name = name
    field.origin = cls
    definition.fields.insert(names.index(before) if before else len(names), field)
