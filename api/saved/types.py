"""What a saved item is: a post or a comment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.comments.types import Comment
from api.posts.types import Post

Saved = Annotated[Post | Comment, strawberry.union("Saved", description="A saved post or comment.")]
