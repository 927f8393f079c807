"""The types of search: what can be searched, and what a search finds."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from api.comments.types import Comment
from api.communities.types import Community
from api.core.pagination import Connection
from api.posts.types import Post
from api.users.types import User


# A schema enum, value by value: alike in shape to others by design (see api/core/types.py).
@strawberry.enum(description="What `search` looks for.")
class SearchKind(Enum):
    POSTS = strawberry.enum_value("POSTS", description="Posts, by title and text.")
    COMMENTS = strawberry.enum_value("COMMENTS", description="Comments, by text.")
    COMMUNITIES = strawberry.enum_value(
        "COMMUNITIES", description="Communities, by name, title and description."
    )
    USERS = strawberry.enum_value("USERS", description="People, by name and address.")


SearchResult = Annotated[
    Post | Comment | Community | User,
    strawberry.union(
        "SearchResult", description="A post, comment, community or person `search` found."
    ),
]


@strawberry.type(name="SearchConnection", description="A page of search results, best match first.")
class SearchConnection(Connection[SearchResult]):
    """Results, best match first (ties: newest first)."""
