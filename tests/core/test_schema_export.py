"""The frontend's copy of the schema is the API's schema."""

from __future__ import annotations

from api.server.export_schema import LIMITS_TARGET, TARGET, limits, sdl


def test_frontend_schema_matches_the_api() -> None:
    assert TARGET.read_text() == sdl(), "run: python -m api.server.export_schema"


def test_the_frontend_forms_share_the_api_limits() -> None:
    assert LIMITS_TARGET.read_text() == limits(), "run: python -m api.server.export_schema"
