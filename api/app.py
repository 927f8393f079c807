"""The API's ASGI application: GraphQL at /graphql (GraphiQL in a browser), the built frontend at
/, and the resources both share, opened and closed with the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from agora.db import QueryCounter, create_pool
from agora.settings import PROJECT_ROOT, Settings
from api.auth import sessions
from api.caching import ListingCache
from api.chain_sync import ChainSync
from api.context import Context
from api.loaders import Loaders
from api.pubsub import PubSub
from api.schema import schema

log = logging.getLogger("agora.api")

FRONTEND_DIST = PROJECT_ROOT / "frontend" / "dist"


@dataclass(slots=True)
class Resources:
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    cache: ListingCache
    pubsub: PubSub
    chain: ChainSync
    query_counter: QueryCounter | None


class AgoraGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context and a shared cache of anonymous query results."""

    def __init__(self) -> None:
        super().__init__(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        r: Resources = request.app.state.resources
        viewer = await sessions.viewer_of(r.pool, request)
        client = request.client
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=r.settings,
            pool=r.pool,
            redis=r.redis,
            pubsub=r.pubsub,
            listing_cache=r.cache,
            viewer=viewer,
            loaders=Loaders(r.pool, viewer.user_id if viewer else None),
            client_ip=client.host if client else "unknown",
            on_community_created=r.chain.community_created,
        )

    def encode_json(self, data: object) -> str:
        # orjson: a listing page is ~30 KB of JSON, and the stdlib encoder was a visible share of
        # a request's CPU. Text, not bytes: WebSocket messages of graphql-transport-ws must be
        # text frames, and strawberry sends bytes as binary ones.
        return orjson.dumps(data).decode()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # Syntax errors end the request before the schema's extensions run: they are the
        # client's to fix, like every error that reaches here without a code.
        for error in response.get("errors") or ():
            error.setdefault("extensions", {}).setdefault("code", "BAD_USER_INPUT")
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache: ListingCache = scope["app"].state.resources.cache
        if scope["type"] != "http" or scope["method"] != "POST" or not cache.enabled:
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if request.headers.get("authorization") or sessions.COOKIE in request.cookies:
            await super().__call__(scope, receive, send)
            return
        # Anonymous: everyone asking the same query gets the same answer, so serve it from the
        # shared cache (cleared when content changes, else fresh for a couple of seconds).
        try:
            body = await request.body()
        except ClientDisconnect:
            return
        hit = cache.responses.peek(body)
        if hit is not None:
            cached, fresh = hit
            if not fresh:
                cache.filling.run(body, lambda: self._fill(request, body, cache))
            await Response(cached, media_type="application/json")(scope, receive, send)
            return
        response = await asyncio.shield(
            cache.filling.run(body, lambda: self._fill(request, body, cache))
        )
        await response(scope, receive, send)

    async def _fill(self, request: Request, body: bytes, cache: ListingCache) -> Response:
        generation = cache.responses.generation
        response = await self.run(request)
        if response.status_code == 200 and _is_cacheable(body, response.body):
            cache.responses.put(body, bytes(response.body), generation=generation)
        return response


def _is_cacheable(request_body: bytes, response_body: bytes | memoryview) -> bool:
    """Only clean results of read-only operations: a mutation (say, a sign-in challenge with
    its single-use nonce) must never be replayed to someone else. Checked on cache misses only."""
    if b'"errors"' in bytes(response_body):
        return False
    try:
        document = parse(json.loads(request_body)["query"])
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    return all(
        isinstance(d, OperationDefinitionNode) and d.operation is OperationType.QUERY
        for d in document.definitions
        if not isinstance(d, FragmentDefinitionNode)
    )


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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        counter = QueryCounter() if settings.count_queries else None
        pool = await create_pool(
            database_url, min_size=2, max_size=settings.db_pool_size, counter=counter
        )
        redis = Redis.from_url(redis_url)
        cache = ListingCache(ttl=settings.listing_cache_seconds)
        pubsub = PubSub(redis, cache)
        chain = ChainSync(settings, pool)
        resources = Resources(settings, pool, redis, cache, pubsub, chain, counter)
        app.state.resources = resources
        follower = asyncio.create_task(pubsub.follow_invalidations())
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            await chain.drain()
            await redis.aclose()
            await pool.close()

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
