"""Write the API's schema (SDL) to frontend/schema.graphql, which the frontend's typed
operations are checked against: `python -m api.server.export_schema`."""

from __future__ import annotations

from agora.settings import PROJECT_ROOT
from api.schema import schema

HEADER = (
    "# Exported from the API (python -m api.server.export_schema); a test checks it matches. "
    "Do not edit.\n"
)
TARGET = PROJECT_ROOT / "frontend" / "schema.graphql"


def sdl() -> str:
    return HEADER + schema.as_str() + "\n"


def main() -> None:
    TARGET.write_text(sdl())


if __name__ == "__main__":
    main()
