"""The /graphql endpoint: strawberry's ASGI view, with our context, the limits every request
must keep (`api.server.request_limits`), and shared answers to the queries that are the same for
everyone.

Every request is checked before anything parses it: its size, the nesting of its JSON, its
shape. Then reads (`api.server.shared_reads`: only queries, never mutations or subscriptions) go one
of two ways:

- anonymous: the shared cached answer for that read (`ListingCache.responses`, keyed by the
  normalized document and variables), served stale for a moment while one request refreshes
  it, one computation per read at a time;
- signed in, asking a shareable query (see `api.server.viewer_overlay`): the same shared answer,
  with the viewer's own votes and standing filled in from one query.

Anything else (writes, the viewer's own things, a single post, GET, a server with the cache
off) is executed for this request alone, and so is a shareable read by someone whose latest
write the shared answer may not hold (`api.server.own_writes`). Reads go to the read replica
when there is one, a writer's once it has replayed their write (`api.server.replica`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

import asyncpg
import orjson
from cross_web import HTTPException  # what strawberry's view raises for a bad request
from redis.exceptions import RedisError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import NonTextMessageReceived
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types import ExecutionResult

from api.auth import sessions
from api.core.context import Context, Viewer
from api.core.errors import INTERNAL_MESSAGE
from api.core.loaders import Loaders
from api.server import request_limits, viewer_overlay
from api.server.metrics import REQUEST_SECONDS, worker_headers
from api.server.replica import Route
from api.server.request_limits import Limits, Refused
from api.server.resources import Resources
from api.server.schema import schema
from api.server.shared_reads import ReadKey, operation_kind, read_key
from api.server.sockets import SESSION_ENDED, TOO_MANY_SOCKETS

_CREDENTIAL_HEADERS = (b"authorization", b"cookie")

# What a request's ASGI scope carries from the view to `get_context`: that it only reads, the
# route a shared answer is read on, the viewer's latest write (once looked up), and, back to the
# view, the request's context.
_READS = "agora.reads"
_ROUTE = "agora.route"
_OWN_WRITE = "agora.own_write"
_CONTEXT = "agora.context"
# The request's JSON as `_respond` decoded and checked it (`request_limits.check_operation`).
_PAYLOAD = "agora.payload"

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


class _LimitedWebSocket(ASGIWebSocketAdapter):
    """graphql-transport-ws messages under the same limits as a request body: one that breaks
    them closes the connection with 4400 and the reason, before anything parses it."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        limits = Limits.of(self.ws.app.state.resources.settings)
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    message = request_limits.decode(text, limits)
                    _check_message(message, limits)
                except Refused as refused:
                    await self.close(4400, refused.message[:120])  # a close reason is <= 123 B
                    return
                yield message
        except KeyError as e:  # a binary frame
            raise NonTextMessageReceived from e
        except WebSocketDisconnect:
            pass


_MESSAGE_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})


def _check_message(message: object, limits: Limits) -> None:
    """The shape strawberry's handler takes for granted (it would fail on a list, or echo an
    unknown type of any length in its close reason)."""
    if not isinstance(message, dict) or message.get("type") not in _MESSAGE_TYPES:
        raise Refused("A message must be a JSON object with a known graphql-transport-ws `type`.")
    if message["type"] in ("subscribe", "complete") and not isinstance(message.get("id"), str):
        raise Refused("A subscribe or complete message needs a string `id`.")
    if message["type"] == "subscribe":
        request_limits.check_operation(message.get("payload"), limits)


class _Operations(BaseGraphQLTransportWSHandler[Context, None]):
    """The operations of one socket, under the forum's rules: at most
    `max_subscriptions_per_socket` at once, and only while the session the socket was opened
    with lasts (it is closed with 4403 when the session is signed out, on any worker, or
    expires)."""

    async def handle(self) -> None:
        viewer = self.context.viewer
        if viewer is None:
            await super().handle()
            return
        with _resources(self.context).sockets.signed_in(viewer, self._session_ended):
            await super().handle()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.context.settings.max_subscriptions_per_socket
        if (
            self.connection_acknowledged
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            await self.send_message(
                {
                    "id": message["id"],
                    "type": "error",
                    "payload": [
                        {
                            "message": f"A socket may run {limit} subscriptions at once: "
                            "complete one, or open another socket.",
                            "extensions": {"code": "RATE_LIMITED", "retryAfter": 1},
                        }
                    ],
                }
            )
            return
        started = time.perf_counter()
        if self.context.viewer is not None and not await self._session_lasts():
            self._session_ended()
            return
        await super().handle_subscribe(message)
        REQUEST_SECONDS["subscription"].observe(time.perf_counter() - started)

    async def _session_lasts(self) -> bool:
        """Whether the socket's session is still open: asked again before each operation, so a
        session whose end this worker did not hear of (Redis lost the message) stops here within
        the session cache's few seconds."""
        r = _resources(self.context)
        return await sessions.viewer_of(r.pool, self.context.request, r.cache.sessions) is not None

    def _session_ended(self) -> None:
        self._closing = asyncio.create_task(self._close(SESSION_ENDED, "Session ended"))

    async def _close(self, code: int, reason: str) -> None:
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # closed already
            await self.websocket.close(code, reason)


def _resources(context: Context) -> Resources:
    return cast(Resources, context.request.app.state.resources)


class AgoraGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = _LimitedWebSocket
    graphql_transport_ws_handler_class = _Operations

    def __init__(self) -> None:
        # The limit of subscriptions per socket is _Operations', with an error code.
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            max_subscriptions_per_connection=None,
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        r: Resources = request.app.state.resources
        viewer = await sessions.viewer_of(r.pool, request, r.cache.sessions)
        route, own_write = await _reads_of(request, viewer, r)
        client = request.client
        context = Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=r.settings,
            pool=route.pool,
            redis=r.redis,
            pubsub=r.pubsub,
            listing_cache=r.cache,
            renderer=r.renderer,
            viewer=viewer,
            loaders=Loaders(route.pool, viewer.user_id if viewer else None),
            client_ip=client.host if client else "unknown",
            read_stamp=route.stamp,
            own_write=own_write,
        )
        request.scope[_CONTEXT] = context
        return context

    async def create_websocket_response(
        self, request: WebSocket, subprotocol: str | None
    ) -> WebSocket:
        headers = [(k.encode(), v.encode()) for k, v in worker_headers().items()]
        await request.accept(subprotocol=subprotocol, headers=headers)
        return request

    def decode_json(self, data: str | bytes) -> object:
        # What strawberry decodes (a POST body, a GET's variables) was checked by __call__
        # first; orjson, not the stdlib's recursive decoder, and strict about UTF-8.
        return orjson.loads(data)

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
        if scope["type"] == "websocket":
            await self._socket(WebSocket(scope, receive, send), resources)
            return
        request = Request(scope, receive)
        started = time.perf_counter()
        try:
            response, kind = await self._respond(request, resources)
        except ClientDisconnect:
            return
        REQUEST_SECONDS[kind].observe(time.perf_counter() - started)
        await response(scope, receive, send)

    async def _socket(self, websocket: WebSocket, resources: Resources) -> None:
        """A WebSocket, if its address has fewer than MAX_SOCKETS_PER_IP open here; else closed
        at once with 4429. _LimitedWebSocket checks each message, _Operations each operation."""
        client = websocket.client
        with resources.sockets.admitted(client.host if client else "unknown") as admitted:
            if admitted:
                await self.run(websocket)
                return
        protocols = websocket.scope.get("subprotocols") or []
        await websocket.accept(
            GRAPHQL_TRANSPORT_WS_PROTOCOL if GRAPHQL_TRANSPORT_WS_PROTOCOL in protocols else None
        )
        await websocket.close(
            TOO_MANY_SOCKETS, "Too many open sockets from your address: close one first."
        )

    async def _respond(self, request: Request, resources: Resources) -> tuple[Response, str]:
        """The answer, and the kind of operation it answered (for GET /metrics)."""
        limits = Limits.of(resources.settings)
        cache = resources.cache
        try:
            if request.method != "POST":
                request_limits.check_query_string(request, limits)
                request.scope[_READS] = True  # (strawberry runs no mutation sent by GET)
                return await self._execute(request), "query"
            body = await request_limits.read_body(request, limits)
            found = cache.read_keys.peek(body)
            key = found[0] if found is not None else None
            kind = "query"
            if found is None:
                payload = request_limits.check_operation(
                    request_limits.decode(body, limits), limits
                )
                request.scope[_PAYLOAD] = payload
                key = read_key(payload)
                if key is not None:
                    cache.read_keys.put(body, key)
                else:
                    kind = operation_kind(payload["query"])
        except Refused as refused:
            return refused.response(), "invalid"
        request = _with_body(request, body)
        if key is None:
            return await self._write(request, resources), kind
        request.scope[_READS] = True
        if not cache.enabled or not _takes_json(request):
            return await self._execute(request), kind
        if request.headers.get("authorization") or sessions.COOKIE in request.cookies:
            return await self._for_viewer(request, body, key, resources), kind
        return await self._shared(request, body, key, resources), kind

    async def _write(self, request: Request, resources: Resources) -> Response:
        """A mutation (or what strawberry refuses); then, before its answer leaves, where its
        writer's write is in the WAL, for every worker: their next reads must show it."""
        response = await self._execute(request)
        context: Context | None = request.scope.get(_CONTEXT)
        if context is None or not (resources.cache.enabled or resources.router.replica):
            return response  # (nothing could serve the writer an older read)
        writer = context.viewer.user_id if context.viewer else context.signed_in
        if writer is not None:
            try:
                if context.written is not None:
                    written = resources.router.wrote(context.written)
                else:
                    written = await resources.router.written()
                await resources.own_writes.remember(writer, written)
            except (RedisError, *_DATABASE_FAILURES):
                log.warning(
                    "could not remember a write of user %s: for a few seconds their reads may "
                    "not show it",
                    writer,
                    exc_info=True,
                )
        return response

    async def _execute(self, request: Request) -> Response:
        """The request executed as it stands (what strawberry's own __call__ does)."""
        try:
            checked: Mapping[str, Any] | None = request.scope.get(_PAYLOAD)
            if checked is not None and _takes_json(request):
                return await self._run_json(request, checked)
            return await self.run(request)
        except HTTPException as e:
            return request_limits.error_response(e.reason, e.status_code)

    async def _run_json(self, request: Request, checked: Mapping[str, Any]) -> Response:
        """What strawberry's `run` does with a JSON POST, from the JSON `_respond` decoded and
        checked already. Its `run` decodes the body again, parses the Content-Type with the
        email package, and asks of every result whether it is a stream (a check against a
        runtime Protocol): about a tenth of a vote's CPU. A POST here has no stream (this view
        serves no SSE or multipart subscriptions), and its operation's result is one
        ExecutionResult."""
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        result = await self.execute_single(
            request=request,
            request_adapter=self.request_adapter_class(request),
            sub_response=sub_response,
            context=context,
            root_value=None,  # (this view has none: GraphQL[Context, None])
            request_data=GraphQLRequestData(
                query=checked["query"],
                variables=checked.get("variables"),
                operation_name=checked.get("operationName"),
                extensions=checked.get("extensions"),
            ),
        )
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    async def _shared(
        self, request: Request, body: bytes, key: ReadKey, resources: Resources
    ) -> Response:
        """The answer everyone gets to the read `key`: cached (cleared when content changes,
        else fresh for a couple of seconds), else computed once for all who ask meanwhile."""
        cached = self._cached(request, body, key, resources, since=None)
        if cached is not None:
            return cached
        filling = resources.cache.filling
        filled: tuple[Response, int] = await asyncio.shield(
            filling.run(key, lambda: self._fill(request, body, key, resources))
        )
        return filled[0]

    def _cached(
        self, request: Request, body: bytes, key: ReadKey, resources: Resources, since: int | None
    ) -> Response | None:
        """The cached shared answer (stamped at or past `since`, if given), refreshed in the
        background once it is no longer fresh; None if there is none."""
        cache = resources.cache
        hit = cache.responses.peek(key, since=since)
        if hit is None:
            return None
        cached, fresh = hit
        if not fresh:
            cache.filling.run(key, lambda: self._fill(request, body, key, resources))
        return Response(cached, media_type="application/json")

    async def _fill(
        self,
        request: Request,
        body: bytes,
        key: ReadKey,
        resources: Resources,
        since: int | None = None,
    ) -> tuple[Response, int]:
        cache = resources.cache
        generation = cache.responses.generation
        anonymous = _anonymous(request, body, resources.router.route(None), since)
        response = await self._execute(anonymous)
        context: Context | None = anonymous.scope.get(_CONTEXT)
        # (what it read: the route's position, or older where it used a cached page)
        stamp = context.read_stamp if context is not None else 0
        # Only clean answers: an error may be a moment's (a lost connection) or the asker's.
        if response.status_code == 200 and b'"errors"' not in response.body:
            cache.responses.put(key, bytes(response.body), generation=generation, stamp=stamp)
        return response, stamp

    async def _shared_since(
        self, request: Request, body: bytes, key: ReadKey, resources: Resources, since: int
    ) -> Response | None:
        """The shared answer if it holds everything up to `since` (a viewer's latest write):
        the cached one, else one computed now when that would (it then serves everyone); None
        when neither does (a replica that has not replayed the write yet)."""
        cached = self._cached(request, body, key, resources, since=since)
        if cached is not None:
            return cached
        if resources.router.route(None).stamp < since:
            return None
        # computed now (or by a computation under way), from cached pages as recent as the write
        filling = resources.cache.filling
        response, stamp = await asyncio.shield(
            filling.run(key, lambda: self._fill(request, body, key, resources, since))
        )
        # (a computation already under way may have started before the write)
        return response if stamp >= since else None

    async def _for_viewer(
        self, request: Request, body: bytes, key: ReadKey, resources: Resources
    ) -> Response:
        if not viewer_overlay.is_shareable(schema._schema, key.document):
            return await self._execute(request)
        viewer = await sessions.viewer_of(resources.pool, request, resources.cache.sessions)
        if viewer is None:  # unknown or expired credentials: an anonymous reader
            return await self._shared(request, body, key, resources)
        own_write = await resources.own_writes.of(viewer.user_id)
        request.scope[_OWN_WRITE] = own_write
        if own_write is None:
            shared = await self._shared(request, body, key, resources)
        else:
            found = await self._shared_since(request, body, key, resources, own_write)
            if found is None:
                # The shared answer may predate their latest write: read theirs, where it is.
                return await self._execute(request)
            shared = found
        if shared.status_code != 200 or b'"errors"' in shared.body:
            return await self._execute(request)
        answer = await viewer_overlay.answer_for(
            resources.router.route(own_write).pool, bytes(shared.body), viewer_id=viewer.user_id
        )
        if answer is None:
            return await self._execute(request)
        return Response(answer, media_type="application/json")


def _takes_json(request: Request) -> bool:
    """A POST strawberry would read as JSON (its own test is looser: anything naming the JSON
    type after parsing; those it reads itself). Only such a read is served from a cache:
    anything else is executed, and strawberry says why it refuses it."""
    content_type = request.headers.get("content-type", "")
    return (
        request.method == "POST"
        and content_type.partition(";")[0].strip().lower() == "application/json"
    )


def _with_body(request: Request, body: bytes, *, drop: tuple[bytes, ...] = ()) -> Request:
    """The request again, its body (already read) to be read once more; without the headers
    named in `drop`."""
    scope = dict(request.scope)
    if drop:
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in drop]

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def _anonymous(request: Request, body: bytes, route: Route, since: int | None) -> Request:
    """The same request without its credentials, read on `route` (from cached pieces stamped
    at or past `since`, if given): what the shared answer is computed from."""
    anonymous = _with_body(request, body, drop=_CREDENTIAL_HEADERS)
    anonymous.scope[_ROUTE] = route
    anonymous.scope[_OWN_WRITE] = since
    return anonymous


async def _reads_of(
    request: Request | WebSocket, viewer: Viewer | None, resources: Resources
) -> tuple[Route, int | None]:
    """Where a request reads, and its viewer's latest write (if they wrote lately). Only
    queries sent over HTTP read the replica: a mutation reads what it writes, and a
    subscription's events are read the moment they are written."""
    given: Route | None = request.scope.get(_ROUTE)
    if given is not None:  # a shared answer being computed, for no one in particular
        return given, request.scope.get(_OWN_WRITE)
    if not request.scope.get(_READS):
        return resources.router.writes(), None
    own_write = request.scope.get(_OWN_WRITE)
    if own_write is None and viewer is not None and _OWN_WRITE not in request.scope:
        own_write = await resources.own_writes.of(viewer.user_id)
    return resources.router.route(own_write), own_write
