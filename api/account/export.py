"""GET /export: one JSON document with everything the signed-in account wrote, voted and joined,
its rewards and its profile (Diaspora's "own your data").

Signed in as for /graphql (the session cookie or `Authorization: Bearer`); counted against the
write rate limit, as it reads every row the account has. The document is streamed section by
section from cursors in one read-only snapshot, so a prolific account costs the server a bounded
amount of memory, and the sections agree with each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from api.account import repository
from api.auth import sessions
from api.core import ratelimit
from api.core.errors import RateLimited

# Rows are sent in chunks of about this size: 100,000 posts and comments (59 MB) took 3.3 s sent
# one write per row, 2.1 s in chunks (read by httpx on the same 2-core machine).
CHUNK_BYTES = 64 * 1024

# Bumped whenever a section or a field changes meaning or is removed (adding one does not).
SCHEMA_VERSION = 1

_SECTIONS = repository.sections

# The document's sections, in order: its key, and the query of export.sql that fills it.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("posts", _SECTIONS.posts),
    ("comments", _SECTIONS.comments),
    ("postVotes", _SECTIONS.post_votes),
    ("commentVotes", _SECTIONS.comment_votes),
    ("memberships", _SECTIONS.memberships),
    ("rewardLines", _SECTIONS.reward_lines),
    ("ledgerTransfers", _SECTIONS.ledger_transfers),
    ("saved", _SECTIONS.saved),
    ("blockedUsers", _SECTIONS.blocked_users),
    ("blockedCommunities", _SECTIONS.blocked_communities),
    ("notifications", _SECTIONS.notifications),
)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


async def export(request: Request) -> Response:
    # the app's Resources (api.server.resources, above this domain)
    resources = request.app.state.resources
    viewer = await sessions.viewer_of(resources.pool, request, resources.cache.sessions)
    if viewer is None:
        return _error(401, "UNAUTHENTICATED", "Sign in with your wallet to export your data.")
    client = request.client
    settings = resources.settings
    try:
        await ratelimit.hit(
            resources.redis,
            [f"ip:{client.host if client else 'unknown'}", f"user:{viewer.user_id}"],
            limit=settings.write_rate_limit,
            window=settings.write_rate_window_seconds,
        )
    except RateLimited as limited:
        retry_after = str(limited.extensions.get("retryAfter", settings.write_rate_window_seconds))
        return _error(429, "RATE_LIMITED", str(limited), {"Retry-After": retry_after})
    stamp = datetime.now(UTC)
    filename = f"agora-{viewer.address.lower()}-{stamp:%Y%m%d}.json"
    return StreamingResponse(
        _document(resources.pool, user_id=viewer.user_id, exported_at=stamp),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def _document(
    pool: asyncpg.Pool, *, user_id: int, exported_at: datetime
) -> AsyncIterator[bytes]:
    async with pool.acquire() as conn:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            profile = await conn.fetchrow(_SECTIONS.profile, user_id)
            head = {
                "schemaVersion": SCHEMA_VERSION,
                "exportedAt": exported_at,
                "account": _camel(profile) if profile else None,
            }
            # The opening brace and the head, then each section as `,"key":[row,row,…]`.
            yield orjson.dumps(head)[:-1]
            for key, query in SECTIONS:
                chunk = bytearray(b',"' + key.encode() + b'":[')
                first = True
                async for row in repository.export_section(conn, query, user_id=user_id):
                    if not first:
                        chunk += b","
                    chunk += orjson.dumps(_camel(row))
                    first = False
                    if len(chunk) >= CHUNK_BYTES:
                        yield bytes(chunk)
                        chunk.clear()
                chunk += b"]"
                yield bytes(chunk)
    yield b"}\n"


def _camel(row: asyncpg.Record) -> dict[str, object]:
    return {_camel_name(k): v for k, v in row.items()}


def _camel_name(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
