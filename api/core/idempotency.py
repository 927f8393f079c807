"""Create mutations that are safe to retry, with Stripe's `Idempotency-Key` HTTP header.

A client that sent a create and lost the answer (a dropped connection, a timeout, an INTERNAL
"try again" after the commit) cannot know whether it was written. Sent again with the same key by
the same account within a day, it gets the first result (the same object) instead of a
duplicate; the same key with another input is a CONFLICT. The key is claimed in the transaction
of the write it guards, so it is there exactly when the write committed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import orjson
from starlette.requests import Request

from agora import sql
from agora.db import Executor, fetch_one
from api.core.errors import BadUserInput, Conflict
from api.core.types import Info

queries = sql.load(__file__, "idempotency.sql")

HEADER = "idempotency-key"
KEPT_FOR = timedelta(days=1)
MAX_KEY_LENGTH = 255


@dataclasses.dataclass(frozen=True, slots=True)
class _Claim:
    key: str
    operation: str
    request_hash: bytes


def _claim_of(info: Info, operation: str, input: Any) -> _Claim | None:
    request = info.context.request
    # Over a WebSocket the headers are the handshake's, the same for every operation of the
    # socket: a key there would make the socket's second create a replay of its first.
    if not isinstance(request, Request):
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise BadUserInput(
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable ASCII "
            "characters (a UUID, say)."
        )
    payload = orjson.dumps(dataclasses.asdict(input), option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(operation.encode() + b"\0" + payload).digest()
    return _Claim(key=key, operation=operation, request_hash=digest)


async def _earlier_result(conn: Executor, user_id: int, claim: _Claim) -> int | None:
    """Claim the key; None if it is ours now, else the result of its earlier use."""
    claimed = await conn.fetchval(
        queries.claim_idempotency_key,
        user_id,
        claim.key,
        claim.operation,
        claim.request_hash,
        KEPT_FOR,
    )
    if claimed:
        return None
    # the claim found a live earlier use of the key, which nothing deletes meanwhile
    earlier = await fetch_one(conn, queries.get_idempotency_key, user_id, claim.key)
    if earlier["request_hash"] != claim.request_hash:
        raise Conflict(
            "This Idempotency-Key was already used for another request; send a new key with a "
            "new request."
        )
    result_id: int = earlier["result_id"]
    return result_id


async def write_once(
    info: Info,
    user_id: int,
    *,
    operation: str,
    input: Any,
    write: Callable[[Executor], Awaitable[int]],
) -> tuple[int, bool]:
    """Run `write` (which creates a row and returns its id) in one transaction on one connection,
    unless the request's idempotency key says it was written already.

    Returns the row's id and whether it was written now (False: a retry, answered with the
    first result; do not announce it again).
    """
    claim = _claim_of(info, operation, input)
    async with info.context.pool.acquire() as conn, conn.transaction():
        if claim is not None:
            earlier = await _earlier_result(conn, user_id, claim)
            if earlier is not None:
                return earlier, False
        result_id = await write(conn)
        if claim is not None:
            await conn.execute(queries.set_idempotency_result, user_id, claim.key, result_id)
    return result_id, True
