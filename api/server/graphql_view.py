"""The /graphql endpoint: strawberry's ASGI view, with our context, and shared answers to the
queries that are the same for everyone.

Reads go one of three ways:

- anonymous: the shared cached answer for that request body (`ListingCache.responses`), served
  stale for a moment while one request refreshes it, one computation per body at a time;
- signed in, asking a shareable query (see `api.server.viewer_overlay`): the same shared answer,
  with the viewer's own votes and standing filled in from one query;
- anything else (writes, the viewer's own things, a single post, GET, a server with the cache
  off): executed for this request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import asyncpg
import orjson
from cross_web import HTTPException  # what strawberry's view raises for a bad request
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from api.auth import sessions
from api.core.caching import ListingCache
from api.core.context import Context
from api.core.errors import INTERNAL_MESSAGE
from api.core.loaders import Loaders
from api.schema import schema
from api.server import viewer_overlay
from api.server.resources import Resources

_CREDENTIAL_HEADERS = (b"authorization", b"cookie")

# What a lost, refused or overloaded database raises (timeouts included).
_DATABASE_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


def _unavailable() -> Response:
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL"}}],
        },
        status_code=503,
        headers={"Retry-After": "1"},
    )


log = logging.getLogger("agora.api")


class AgoraGraphQL(GraphQL[Context, None]):
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
        errors = cast(list[dict[str, Any]], response.get("errors") or [])
        for error in errors:
            error.setdefault("extensions", {}).setdefault("code", "BAD_USER_INPUT")
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request; when the database fails outside GraphQL execution (the session lookup,
        the viewer overlay), a 503 with a GraphQL error instead of a bare 500."""
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._handle(scope, receive, tracked)
        except _DATABASE_FAILURES:
            if scope["type"] != "http" or started:
                raise
            log.error("the database failed outside GraphQL execution", exc_info=True)
            await _unavailable()(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        resources: Resources = scope["app"].state.resources
        if scope["type"] != "http" or scope["method"] != "POST" or not resources.cache.enabled:
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            body = await request.body()
        except ClientDisconnect:
            return
        if request.headers.get("authorization") or sessions.COOKIE in request.cookies:
            response = await self._for_viewer(request, body, resources)
        else:
            response = await self._shared(request, body, resources.cache)
        await response(scope, receive, send)

    async def _execute(self, request: Request) -> Response:
        """The request executed as it stands (what strawberry's own __call__ does)."""
        try:
            return await self.run(request)
        except HTTPException as e:
            return PlainTextResponse(e.reason, status_code=e.status_code)

    async def _shared(self, request: Request, body: bytes, cache: ListingCache) -> Response:
        """The answer everyone gets to `body`: cached (cleared when content changes, else fresh
        for a couple of seconds), else computed once for all who ask meanwhile."""
        hit = cache.responses.peek(body)
        if hit is not None:
            cached, fresh = hit
            if not fresh:
                cache.filling.run(body, lambda: self._fill(request, body, cache))
            return Response(cached, media_type="application/json")
        return await asyncio.shield(
            cache.filling.run(body, lambda: self._fill(request, body, cache))
        )

    async def _fill(self, request: Request, body: bytes, cache: ListingCache) -> Response:
        generation = cache.responses.generation
        response = await self._execute(_anonymous(request, body))
        if response.status_code == 200 and _is_cacheable(body, response.body):
            cache.responses.put(body, bytes(response.body), generation=generation)
        return response

    async def _for_viewer(self, request: Request, body: bytes, resources: Resources) -> Response:
        query = _query_of(body)
        if query is None or not viewer_overlay.is_shareable(schema._schema, query):
            return await self._execute(request)
        viewer = await sessions.viewer_of(resources.pool, request)
        shared = await self._shared(request, body, resources.cache)
        if viewer is None:  # unknown or expired credentials: an anonymous reader
            return shared
        if shared.status_code != 200 or b'"errors"' in shared.body:
            return await self._execute(request)
        answer = await viewer_overlay.answer_for(
            resources.pool, bytes(shared.body), viewer_id=viewer.user_id
        )
        if answer is None:
            return await self._execute(request)
        return Response(answer, media_type="application/json")


def _anonymous(request: Request, body: bytes) -> Request:
    """The same request without its credentials: what the shared answer is computed from."""
    scope = dict(request.scope)
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in _CREDENTIAL_HEADERS]

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def _query_of(body: bytes) -> str | None:
    try:
        query = orjson.loads(body).get("query")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return query if isinstance(query, str) else None


def _is_cacheable(request_body: bytes, response_body: bytes | memoryview) -> bool:
    """Only clean results of read-only operations: a mutation (say, a sign-in challenge with
    its single-use nonce) must never be replayed to someone else. Checked on cache misses only."""
    query = _query_of(request_body)
    if query is None or b'"errors"' in bytes(response_body):
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False
    return all(
        isinstance(d, OperationDefinitionNode) and d.operation is OperationType.QUERY
        for d in document.definitions
        if not isinstance(d, FragmentDefinitionNode)
    )
