"""Write the API's schema (SDL) to frontend/schema.graphql, which the frontend's typed
operations are checked against, and the input limits its forms share with the API to
frontend/src/limits.json: `python -m api.server.export_schema`."""

from __future__ import annotations

import json

from agora.settings import PROJECT_ROOT
from api.communities import mutations as communities
from api.server.schema import schema

HEADER = (
    "# Exported from the API (python -m api.server.export_schema); a test checks it matches. "
    "Do not edit.\n"
)
TARGET = PROJECT_ROOT / "frontend" / "schema.graphql"
LIMITS_TARGET = PROJECT_ROOT / "frontend" / "src" / "limits.json"


def sdl() -> str:
    return HEADER + schema.as_str() + "\n"


def limits() -> str:
    values = {
        "communityName": {
            "minLength": communities.NAME_MIN_LENGTH,
            "maxLength": communities.NAME_MAX_LENGTH,
        },
    }
    return json.dumps(values, indent=2) + "\n"


def main() -> None:
    TARGET.write_text(sdl())
    LIMITS_TARGET.write_text(limits())


if __name__ == "__main__":
    main()
