"""The API's ASGI application: GraphQL at /graphql (GraphiQL in a browser), the built frontend at
/, and the resources both share, opened and closed with the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from agora.db import QueryCounter, create_pool
from agora.metrics import flush_every
from agora.runtime import restore_recursion_limit
from agora.services import redact
from agora.settings import PROJECT_ROOT, Settings
from api.account.export import export
from api.core import chain_notifications
from api.core.caching import ListingCache
from api.core.pubsub import PubSub
from api.core.rendering import Renderer
from api.rewards.distribution import epoch_distribution
from api.server import metrics
from api.server.graphql_view import AgoraGraphQL
from api.server.own_writes import OwnWrites
from api.server.replica import REPLICA_WAIT_SECONDS, ReadRouter, ReplicaPool
from api.server.resources import Resources
from api.server.sockets import OpenSockets

log = logging.getLogger("agora.api")

FRONTEND_DIST = PROJECT_ROOT / "frontend" / "dist"

# How long a request waits for a free connection of the Redis pool before it fails: the pool's
# connections are each held for one short command, so a longer wait means Redis is in trouble.
REDIS_POOL_WAIT_SECONDS = 2.0


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


# What /healthz waits for each dependency: a checker must hear "down" soon, not time out itself.
HEALTH_TIMEOUT_SECONDS = 3.0


async def health(request: Request) -> Response:
    """200 when PostgreSQL and Redis answer; 503 naming those that do not (within
    HEALTH_TIMEOUT_SECONDS), so a load balancer or an operator knows what is down."""
    resources: Resources = request.app.state.resources
    checks = {
        "postgresql": resources.pool.fetchval("SELECT 1"),
        "redis": resources.redis.ping(),
    }
    results = await asyncio.gather(
        *(asyncio.wait_for(check, HEALTH_TIMEOUT_SECONDS) for check in checks.values()),
        return_exceptions=True,
    )
    failed = {
        name: result
        for name, result in zip(checks, results, strict=True)
        if isinstance(result, Exception)
    }
    worker = metrics.worker_headers()
    if failed:
        for name, error in failed.items():
            log.warning("health: %s is down: %r", name, error)
        return JSONResponse({"ok": False, "down": list(failed)}, status_code=503, headers=worker)
    return JSONResponse({"ok": True}, headers=worker)


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn must run the app (`agora serve`, the tests' server): the client's IP comes
    from X-Forwarded-For only when the connection is from one of TRUSTED_PROXIES (uvicorn's
    default trusts any local client, so one on the machine could name any IP per request)."""
    return {
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies),
        # a WebSocket message is held whole before the app sees it: no larger than a body
        "ws_max_size": settings.max_body_bytes,
    }


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
        replica: ReplicaPool | None = None
        if settings.database_read_url:
            # No connection at start (min_size=0): a replica that is down must not stop the API,
            # whose reads then go to the primary. Its waits are short for the same reason.
            created = await create_pool(
                settings.database_read_url,
                min_size=0,
                max_size=settings.db_pool_size,
                counter=counter,
                settings=replace(settings, db_acquire_timeout_seconds=REPLICA_WAIT_SECONDS),
                pool_class=ReplicaPool,
            )
            assert isinstance(created, ReplicaPool)
            replica = created
        router = ReadRouter(pool, replica, replica_name=redact(settings.database_read_url or ""))
        await router.start()
        # After a Redis restart every pooled connection is dead; a client built from a URL does
        # not retry by default, so each would fail one request with INTERNAL. Retried on a new
        # connection instead (a repeated INCR or PUBLISH after a lost reply is harmless here).
        # Only short commands use this pool (listening has its own connection, below): a burst
        # of requests waits a moment for a free connection rather than failing with "Too many
        # connections" past the pool's 100 (200 simultaneous sign-ins did), but never long.
        redis = Redis(
            connection_pool=BlockingConnectionPool.from_url(
                redis_url,
                max_connections=100,
                timeout=REDIS_POOL_WAIT_SECONDS,
                retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.5), retries=3),
                client_name="agora-api",
            )
        )
        # The one connection every subscription and listener of this worker shares
        # (api.core.fanout): not retried by redis-py, whose silent reconnection would hide the
        # loss from the fan-out, which reconnects, resubscribes and logs it itself. Its commands
        # time out (a Redis that stops answering counts as lost); its wait for messages does not.
        listener = Redis.from_url(
            redis_url,
            retry=Retry(NoBackoff(), retries=0),
            socket_connect_timeout=5,
            socket_timeout=5,
            socket_keepalive=True,
            client_name="agora-api-listener",
        )
        namespace = f"agora:{_database_name(database_url)}"
        cache = ListingCache(
            ttl=settings.listing_cache_seconds, response_bytes=settings.response_cache_bytes
        )
        pubsub = PubSub(
            redis,
            cache,
            namespace=namespace,
            listener=listener,
            queue_size=settings.subscription_queue_size,
        )
        sockets = OpenSockets(per_ip=settings.max_sockets_per_ip)
        pubsub.when_session_ends(sockets.session_ended)
        renderer = Renderer(
            workers=settings.render_workers, timeout=settings.render_timeout_seconds
        )
        own_writes = OwnWrites(redis, namespace=namespace)
        resources = Resources(
            settings, pool, redis, cache, pubsub, counter, sockets, renderer, router, own_writes
        )
        app.state.resources = resources
        follower = asyncio.create_task(pubsub.follow_invalidations())
        flusher = asyncio.create_task(flush_every())
        chain_listener = asyncio.create_task(
            chain_notifications.relay(database_url, settings, pubsub)
        )
        # What start-up loaded (modules, the schema, the pool; ~120,000 objects) lives as long
        # as the process: frozen, the collector stops walking it on every full collection,
        # each of which otherwise stopped the worker for 55-75 ms on the 2-core test machine.
        gc.freeze()
        try:
            yield
        finally:
            for task in (follower, flusher, chain_listener):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await pubsub.aclose()
            await listener.aclose()
            await redis.aclose(close_connection_pool=True)  # a pool given is not closed by default
            await router.aclose()
            if replica is not None:
                await replica.close()
            await pool.close()
            await asyncio.to_thread(renderer.close)

    view = AgoraGraphQL()
    routes: list[Any] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", health),
        Route("/metrics", metrics.scrape),
        Route("/rewards/{community}/{epoch:int}.csv", reward_distribution),
        Route("/export", export),
    ]
    if (FRONTEND_DIST / "assets").is_dir():
        routes.append(Mount("/assets", StaticFiles(directory=FRONTEND_DIST / "assets")))
    routes += [_public_file(p) for p in _public_files()]
    routes.append(Route("/{path:path}", spa))
    return _Agora(view, routes=routes, lifespan=lifespan, debug=settings.debug)


class _Agora(Starlette):
    """The app, with its most frequent request (a GraphQL POST) handed to the view at once.

    Starlette's stack (its error and exception middlewares, the router matching each route in
    turn, and the wrappers each puts around `send`) cost a few percent of a small request's CPU,
    such as a vote's, and gives /graphql nothing: the view answers every failure of its own
    (a refused body, a database that is down), and what escapes it uvicorn logs and answers with
    a 500 as Starlette's error middleware would (without `debug`). Everything else goes through
    the stack, and so does every POST in debug mode (its error pages).
    """

    def __init__(self, graphql: AgoraGraphQL, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._graphql = graphql

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if self.debug:
            return stack
        graphql = self._graphql

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if (
                scope["type"] == "http"
                and scope["method"] == "POST"
                and scope["path"] == "/graphql"
            ):
                await graphql(scope, receive, send)
            else:
                await stack(scope, receive, send)

        return app


def app_from_environment() -> Starlette:
    """The app of one of `agora serve`'s workers (a uvicorn factory): everything from the
    environment, where `agora serve` put the database and Redis it resolved and migrated."""
    settings = Settings.from_env()
    if not settings.database_url or not settings.redis_url:
        raise RuntimeError("a worker needs DATABASE_URL and REDIS_URL (run it with agora serve)")
    return create_app(settings, database_url=settings.database_url, redis_url=settings.redis_url)


def _public_files() -> list[Path]:
    if not FRONTEND_DIST.is_dir():
        return []
    return [p for p in FRONTEND_DIST.iterdir() if p.is_file() and p.name != "index.html"]


def _public_file(path: Path) -> Route:
    async def serve(request: Request) -> Response:
        return FileResponse(path)

    return Route(f"/{path.name}", serve)


async def reward_distribution(request: Request) -> Response:
    """An epoch's distribution as CSV (api/rewards/distribution.py); 404 while open or unknown."""
    resources: Resources = request.app.state.resources
    number: int = request.path_params["epoch"]
    found = None
    # Epoch numbers are int4 in the books: a larger one is simply not there.
    if number < 2**31:
        found = await epoch_distribution(
            resources.pool, community=request.path_params["community"], number=number
        )
    if found is None:
        return PlainTextResponse("There is no closed epoch here.\n", status_code=404)
    return Response(
        found.csv,
        media_type="text/csv; charset=utf-8",
        # Final once reviewed, so a cache may keep it; in review it may still lose voided lines.
        headers={"Cache-Control": "public, max-age=3600" if found.final else "no-cache"},
    )


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"
