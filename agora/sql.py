"""Named SQL queries kept in `.sql` files beside the code that runs them.

A file holds one or more queries, each introduced by a `-- name: <identifier>` line, as aiosql
and yesql write them; parameters are asyncpg's positional `$1`, `$2`, ….
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    """The queries of one `.sql` file, as attributes: `queries.get_post_by_id`."""

    def __init__(self, path: Path) -> None:
        text = path.read_text()
        parts = _NAME.split(text)
        if len(parts) < 3:
            raise ValueError(f"{path} has no '-- name:' query")
        self._path = path
        self._queries: dict[str, str] = {}
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in self._queries:
                raise ValueError(f"{path}: query {name} is defined twice")
            self._queries[name] = body.strip()

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"{self._path.name} has no query named {name!r}") from None

    def names(self) -> list[str]:
        return list(self._queries)


def load(module_file: str, filename: str = "queries.sql") -> Queries:
    """Load `filename` from the folder of the calling module (pass `__file__`)."""
    return Queries(Path(module_file).with_name(filename))
