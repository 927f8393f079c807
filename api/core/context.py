"""Per-request context: the shared resources, the signed-in viewer and the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from agora.settings import Settings
from api.core.caching import ListingCache
from api.core.loaders import Loaders
from api.core.pubsub import PubSub
from api.core.rendering import Renderer


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person making the request."""

    user_id: int
    address: str
    csrf_token: str
    # Cookie sessions need the CSRF header on writes; bearer tokens cannot be sent by a browser
    # on another site's behalf, so they need none.
    via_cookie: bool
    csrf_ok: bool
    token_hash: bytes
    expires: float  # the session's end, in time.time() seconds


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    pubsub: PubSub
    listing_cache: ListingCache
    renderer: Renderer
    viewer: Viewer | None
    loaders: Loaders
    client_ip: str
    extra: dict[str, Any] = field(default_factory=dict)
    # How far (an LSN) the database that `pool` reads is known to have got at least, and the
    # viewer's latest write when the caches may not hold it yet: a shared cache entry is used
    # for this request only when stamped at or past it (`api.server.own_writes`).
    read_stamp: int = 0
    own_write: int | None = None
    # The account a sign-in in this request was made as (the request had no viewer yet).
    signed_in: int | None = None
    # Where this request's writes are known to be in the primary's WAL, when a resolver read it
    # after they committed (a vote reads it with the score); otherwise the view asks the primary.
    written: int | None = None
