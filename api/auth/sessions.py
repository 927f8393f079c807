"""Sessions: a random token, stored only as its SHA-256, with a CSRF token beside it.

Browsers hold the token in an HttpOnly, SameSite=Lax cookie (scripts cannot read it) and send the
CSRF token in a header on writes; other clients send the token as `Authorization: Bearer`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from starlette.requests import HTTPConnection

from agora import sql
from agora.db import Executor
from api.core.caching import TtlCache
from api.core.context import Viewer

queries = sql.load(__file__)

COOKIE = "agora_session"
CSRF_HEADER = "x-csrf-token"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


async def create_session(db: Executor, *, user_id: int, ttl: timedelta) -> NewSession:
    session = NewSession(
        token=secrets.token_urlsafe(32),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=datetime.now(UTC) + ttl,
    )
    await db.execute(
        queries.create_session,
        hash_token(session.token),
        user_id,
        session.csrf_token,
        session.expires_at,
    )
    return session


@dataclass(frozen=True, slots=True)
class _Known:
    """A session as the database answered it, kept in the worker's cache."""

    user_id: int
    address: str
    csrf_token: str
    expires: float  # the session's own end, in time.time() seconds


async def delete_session(db: Executor, *, token_hash: bytes) -> None:
    await db.execute(queries.delete_session, token_hash)


def _credentials(conn: HTTPConnection) -> tuple[str, bool] | None:
    """The session token of the request and whether it came from the cookie."""
    authorization = conn.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip(), False
    cookie = conn.cookies.get(COOKIE)
    if cookie:
        return cookie, True
    return None


async def viewer_of(
    pool: asyncpg.Pool, conn: HTTPConnection, known: TtlCache[_Known]
) -> Viewer | None:
    """The signed-in viewer of a request, or None (no, expired or unknown credentials).

    A session found in the database is trusted from `known` (the worker's cache, see
    ListingCache.sessions) for its time-to-live: the round trip was a signed-in request's largest
    cost after its own queries. Sign-out removes it from every worker's cache at once
    (PubSub.session_ended); unknown tokens are never cached, so a guessed one costs a lookup.
    """
    credentials = _credentials(conn)
    if credentials is None:
        return None
    token, via_cookie = credentials
    token_hash = hash_token(token)
    session = known.get(token_hash)
    if session is None:
        generation = known.generation
        row = await pool.fetchrow(queries.get_session, token_hash)
        if row is None:
            return None
        session = _Known(
            user_id=row["user_id"],
            address=row["address"],
            csrf_token=row["csrf_token"],
            expires=row["expires_at"].timestamp(),
        )
        known.put(token_hash, session, generation=generation)
    elif session.expires <= time.time():
        return None
    sent = conn.headers.get(CSRF_HEADER, "")
    return Viewer(
        user_id=session.user_id,
        address=session.address,
        csrf_token=session.csrf_token,
        via_cookie=via_cookie,
        csrf_ok=secrets.compare_digest(sent, session.csrf_token),
        token_hash=token_hash,
        expires=session.expires,
    )
