"""Building a type from a row whose columns carry its fields' names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg


def columns(row: asyncpg.Record | Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The named columns of `row`, as keyword arguments: `cls(**columns(row, "name", "title"),
    …)` says which fields are the row's values as they are, and leaves the ones that convert
    or rename to be written out."""
    return {name: row[name] for name in names}
