"""Type aliases shared by every domain of the schema."""

from __future__ import annotations

import strawberry

from api.core.context import Context

Info = strawberry.Info[Context, None]
