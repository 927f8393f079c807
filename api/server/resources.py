"""What the API's requests share, opened and closed with the app's lifespan (see api.server.app)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis

from agora.db import QueryCounter
from agora.settings import Settings
from api.core.caching import ListingCache
from api.core.pubsub import PubSub
from api.core.rendering import Renderer
from api.server.own_writes import OwnWrites
from api.server.replica import ReadRouter
from api.server.sockets import OpenSockets


@dataclass(slots=True)
class Resources:
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    cache: ListingCache
    pubsub: PubSub
    query_counter: QueryCounter | None
    sockets: OpenSockets
    renderer: Renderer
    router: ReadRouter
    own_writes: OwnWrites
