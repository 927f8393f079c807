"""What a request to /graphql may be, checked before anything parses it.

A POST body, a WebSocket message or the query string of a GET larger than `max_body_bytes` is
refused with 413 (414 for a GET). JSON nested deeper than `max_json_depth` is refused by a
linear scan before any decoder sees it: a recursive decoder given 80,000 levels can overflow
the C stack and kill the process. Then the text must be UTF-8 JSON without lone surrogates
(PostgreSQL and asyncpg cannot store them), an object with a string `query` no longer than
`max_query_bytes`. Each refusal is a GraphQL-style error with BAD_USER_INPUT and a message that
never repeats the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from agora.settings import Settings

# How much of a decoder's own message an answer repeats (orjson's name a position, not input).
_MESSAGE_CAP = 100


@dataclass(frozen=True, slots=True)
class Limits:
    body_bytes: int
    json_depth: int
    query_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_body_bytes, settings.max_json_depth, settings.max_query_bytes)


class Refused(Exception):
    """A request refused before parsing; `response()` is what the client gets."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def response(self) -> Response:
        return error_response(self.message, self.status)


def error_response(message: str, status: int) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def read_body(request: Request, limits: Limits) -> bytes:
    """The body, read no further than the limit (the rest is left unread: the server drops it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.body_bytes:
        raise _too_large(limits)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.body_bytes:
            raise _too_large(limits)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limits: Limits) -> Refused:
    return Refused(
        f"The request is larger than the limit of {limits.body_bytes} bytes.", status=413
    )


def decode(data: str | bytes, limits: Limits) -> Any:
    """The JSON value of `data`, if it is small and shallow enough and valid."""
    if isinstance(data, str):
        try:
            data = data.encode()
        except UnicodeEncodeError:  # a lone surrogate
            raise Refused("The request is not valid UTF-8 text.") from None
    if len(data) > limits.body_bytes:
        raise _too_large(limits)
    if nests_deeper_than(data, limits.json_depth):
        raise Refused(f"The request's JSON is nested more than {limits.json_depth} levels deep.")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        # orjson refuses invalid UTF-8 and lone surrogates (escaped or not) as well as bad syntax
        reason = str(e)[:_MESSAGE_CAP]
        raise Refused(f"The request is not valid JSON in UTF-8: {reason}") from None


def check_operation(payload: Any, limits: Limits) -> Mapping[str, Any]:
    """`payload` if it has the shape of one GraphQL request (query, variables, operationName,
    extensions)."""
    if not isinstance(payload, dict):
        raise Refused("The request must be a JSON object with a GraphQL `query`.")
    query = payload.get("query")
    if not isinstance(query, str):
        raise Refused("The request's `query` must be a string holding a GraphQL document.")
    if len(query) > limits.query_bytes:
        raise Refused(
            f"The GraphQL document is longer than the limit of {limits.query_bytes} characters."
        )
    for name, kind, described in (
        ("variables", dict, "an object"),
        ("extensions", dict, "an object"),
        ("operationName", str, "a string"),
    ):
        value = payload.get(name)
        if value is not None and not isinstance(value, kind):
            raise Refused(f"The request's `{name}` must be {described} or null.")
    return payload


def check_query_string(request: Request, limits: Limits) -> None:
    """The same limits on a GET: its parameters are what a POST's body would hold."""
    if len(request.scope.get("query_string", b"")) > limits.body_bytes:
        raise Refused(
            f"The request's URL is longer than the limit of {limits.body_bytes} bytes.",
            status=414,
        )
    params = request.query_params
    for name in ("variables", "extensions"):
        value = params.get(name)
        if value:
            decoded = decode(value, limits)
            if not isinstance(decoded, dict):
                raise Refused(f"The request's `{name}` must be a JSON object.")
    query = params.get("query")
    if query is not None and len(query) > limits.query_bytes:
        raise Refused(
            f"The GraphQL document is longer than the limit of {limits.query_bytes} characters."
        )


# Every bracket as "[" or "]", everything else dropped: only the nesting is left.
_SAME_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nests_deeper_than(data: bytes, limit: int) -> bool:
    """Whether the JSON text `data` nests arrays and objects more than `limit` deep, found
    without recursion and in C-speed passes over the bytes (for text that is not JSON the answer
    does not matter: the decoder refuses it next)."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # too few brackets, even counting those inside strings
    # Escapes go first (an escaped backslash before an escaped quote, as a reader meets them),
    # then every other piece between quotes is a string's content.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[::2])
    nesting = outside_strings.translate(_SAME_BRACKETS, _NOT_BRACKETS)
    # Each pass removes the innermost level of every nest.
    for _ in range(limit):
        nesting = nesting.replace(b"[]", b"")
        if not nesting:
            return False
    return b"[]" in nesting
