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


@strawberry.enum
class SearchKind(Enum):
    POSTS = "POSTS"
    COMMENTS = "COMMENTS"
    COMMUNITIES = "COMMUNITIES"
    USERS = "USERS"


SearchResult = Annotated[Post | Comment | Community | User, strawberry.union("SearchResult")]


@strawberry.type(name="SearchConnection")
class SearchConnection(Connection[SearchResult]):
    """Results, best match first (ties: newest first)."""
