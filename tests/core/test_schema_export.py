"""The frontend's copy of the schema is the API's schema."""

from __future__ import annotations

from api.server.export_schema import TARGET, sdl


def test_frontend_schema_matches_the_api() -> None:
    assert TARGET.read_text() == sdl(), "run: python -m api.server.export_schema"
