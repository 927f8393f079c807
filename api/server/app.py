"""The API's ASGI application: GraphQL at /graphql (GraphiQL in a browser), the built frontend at
/, and the resources both share, opened and closed with the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from agora.db import QueryCounter, create_pool
from agora.runtime import restore_recursion_limit
from agora.settings import PROJECT_ROOT, Settings
from api.core.caching import ListingCache
from api.core.pubsub import PubSub
from api.core.rendering import Renderer
from api.server.graphql_view import AgoraGraphQL
from api.server.resources import Resources

log = logging.getLogger("agora.api")

FRONTEND_DIST = PROJECT_ROOT / "frontend" / "dist"


async def spa(request: Request) -> Response:
    """The frontend's index.html for any page path; the client-side router takes it from there."""
    index = FRONTEND_DIST / "index.html"
    if index.exists():
        return FileResponse(index)
    return HTMLResponse(
        "<!doctype html><title>Agora</title><h1>Agora</h1><p>The frontend is not built yet: run "
        "<code>make up</code>. The API is at <a href='/graphql'>/graphql</a>.</p>",
        status_code=503,
    )


async def health(request: Request) -> Response:
    resources: Resources = request.app.state.resources
    await resources.pool.fetchval("SELECT 1")
    await resources.redis.ping()
    return JSONResponse({"ok": True})


def create_app(settings: Settings, *, database_url: str, redis_url: str) -> Starlette:
    """The API for `settings`, on the given (already resolved and migrated) database and Redis."""
    # Here, not only in `agora` start-up: whoever builds the app (a uvicorn factory, the
    # tests) has imported web3 and eth_account by now, and with them the raised limit.
    restore_recursion_limit()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        counter = QueryCounter() if settings.count_queries else None
        pool = await create_pool(
            database_url,
            min_size=2,
            max_size=settings.db_pool_size,
            counter=counter,
            settings=settings,
        )
        # After a Redis restart every pooled connection is dead; a client built from a URL does
        # not retry by default, so each would fail one request with INTERNAL. Retried on a new
        # connection instead (a repeated INCR or PUBLISH after a lost reply is harmless here).
        # A burst of requests waits for a free connection (up to 10 s) rather than failing with
        # "Too many connections" past the pool's 100: 200 simultaneous sign-ins did.
        redis = Redis(
            connection_pool=BlockingConnectionPool.from_url(
                redis_url,
                max_connections=100,
                timeout=10,
                retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.5), retries=3),
            )
        )
        cache = ListingCache(
            ttl=settings.listing_cache_seconds, response_bytes=settings.response_cache_bytes
        )
        pubsub = PubSub(redis, cache, namespace=f"agora:{_database_name(database_url)}")
        renderer = Renderer(
            workers=settings.render_workers, timeout=settings.render_timeout_seconds
        )
        resources = Resources(settings, pool, redis, cache, pubsub, counter, renderer)
        app.state.resources = resources
        follower = asyncio.create_task(pubsub.follow_invalidations())
        # What start-up loaded (modules, the schema, the pool; ~120,000 objects) lives as long
        # as the process: frozen, the collector stops walking it on every full collection,
        # each of which otherwise stopped the worker for 55-75 ms on the 2-core test machine.
        gc.freeze()
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            await redis.aclose(close_connection_pool=True)  # a pool given is not closed by default
            await pool.close()
            await asyncio.to_thread(renderer.close)

    view = AgoraGraphQL()
    routes: list[Any] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", health),
    ]
    if (FRONTEND_DIST / "assets").is_dir():
        routes.append(Mount("/assets", StaticFiles(directory=FRONTEND_DIST / "assets")))
    routes += [_public_file(p) for p in _public_files()]
    routes.append(Route("/{path:path}", spa))
    return Starlette(routes=routes, lifespan=lifespan, debug=settings.debug)


def _public_files() -> list[Path]:
    if not FRONTEND_DIST.is_dir():
        return []
    return [p for p in FRONTEND_DIST.iterdir() if p.is_file() and p.name != "index.html"]


def _public_file(path: Path) -> Route:
    async def serve(request: Request) -> Response:
        return FileResponse(path)

    return Route(f"/{path.name}", serve)


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"
