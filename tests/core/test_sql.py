"""Named SQL files."""

from __future__ import annotations

from pathlib import Path

import pytest

from agora.sql import Queries


def test_queries_are_read_by_name(tmp_path: Path) -> None:
    path = tmp_path / "q.sql"
    path.write_text("-- name: one\nSELECT 1;\n\n-- name: two\n-- a comment\nSELECT $1;\n")
    queries = Queries(path)
    assert queries.one == "SELECT 1;"
    assert queries.two == "-- a comment\nSELECT $1;"
    with pytest.raises(AttributeError, match="no query named 'three'"):
        _ = queries.three


def test_every_query_file_of_the_project_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [p for p in (root / "api").rglob("*.sql")]
    assert files
    for path in files:
        assert Queries(path).names(), path
