"""Signing in with a wallet (EIP-4361), signing out, and the `viewer` query."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry

from api.auth import sessions, siwe
from api.auth.types import MAX_JOINED_COMMUNITIES, Session, SignInChallenge, ViewerInfo
from api.communities import repository as communities
from api.communities.for_viewer import communities_for_viewer
from api.core import permissions, validation
from api.core.errors import Unauthenticated
from api.core.types import Info
from api.users import repository as users
from api.users.loaders import USER
from api.users.types import User

_NONCE_KEY = "siwe:nonce:{}"


def _allowed_domains(info: Info) -> dict[str, str]:
    """Domains a message may name, with the URI that goes with each.

    The configured one, and the same port on localhost / 127.0.0.1, the two names a local
    browser uses for this server. A message made for any other site is refused.
    """
    settings = info.context.settings
    domains = {settings.siwe_domain: settings.siwe_uri}
    if settings.host in ("127.0.0.1", "localhost", "0.0.0.0"):
        for name in ("127.0.0.1", "localhost"):
            domains.setdefault(f"{name}:{settings.port}", f"http://{name}:{settings.port}")
    return domains


async def sign_in_challenge(
    info: Info, address: Annotated[str, strawberry.argument(description="The wallet's address.")]
) -> SignInChallenge:
    """A message for the wallet to sign, with a single-use nonce that expires."""
    await permissions.limit_writes(info)
    # Only '0x' and 40 digits: the signed message must name it so, or no sign-in could pass.
    address = validation.address(address, field="address")
    ctx = info.context
    domains = _allowed_domains(info)
    host = ctx.request.headers.get("host", "")
    domain = host if host in domains else ctx.settings.siwe_domain
    nonce = siwe.new_nonce()
    message = siwe.challenge(
        domain=domain,
        uri=domains[domain],
        chain_id=ctx.settings.chain_id,
        address=address,
        nonce=nonce,
        ttl=timedelta(seconds=ctx.settings.nonce_ttl_seconds),
    )
    await ctx.redis.set(
        _NONCE_KEY.format(nonce), address.lower(), ex=ctx.settings.nonce_ttl_seconds
    )
    assert message.expiration_time is not None
    return SignInChallenge(message=message.text(), nonce=nonce, expires_at=message.expiration_time)


async def sign_in(
    info: Info,
    message: Annotated[str, strawberry.argument(description="The challenge's message, as signed.")],
    signature: Annotated[
        str, strawberry.argument(description="The wallet's signature of it (0x-hex).")
    ],
) -> Session:
    await permissions.limit_writes(info)
    ctx = info.context
    domains = _allowed_domains(info)
    try:
        parsed = siwe.parse(message)
        checked = siwe.verify(
            message,
            signature,
            domain=parsed.domain if parsed.domain in domains else ctx.settings.siwe_domain,
            uri=domains.get(parsed.domain, ctx.settings.siwe_uri),
            chain_id=ctx.settings.chain_id,
        )
    except siwe.SiweError as error:
        raise Unauthenticated(str(error)) from None
    # Spend the nonce only now, atomically: a replayed message finds it gone.
    owner = await ctx.redis.getdel(_NONCE_KEY.format(checked.nonce))
    if owner is None or owner != checked.address.lower().encode():
        raise Unauthenticated(
            "This sign-in request was already used or has expired; ask for a new one."
        )
    async with ctx.pool.acquire() as conn, conn.transaction():
        user = await users.upsert_user_by_address(conn, address=checked.address)
        if user["created"]:
            await users.carry_over_bans(conn, user_id=user["id"], address=checked.address)
        session = await sessions.create_session(
            conn, user_id=user["id"], ttl=timedelta(seconds=ctx.settings.session_ttl_seconds)
        )
    # Their first reads must find the account just made (a read replica may not have it yet).
    ctx.signed_in = user["id"]
    if ctx.response is not None:
        ctx.response.set_cookie(
            sessions.COOKIE,
            session.token,
            max_age=ctx.settings.session_ttl_seconds,
            httponly=True,
            samesite="lax",
            secure=ctx.settings.cookie_secure,
            path="/",
        )
    return Session(
        token=session.token,
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
        user=User.from_row(user),
    )


async def sign_out(info: Info) -> bool:
    viewer = permissions.require_viewer(info)
    if viewer.via_cookie and not viewer.csrf_ok:
        await permissions.require_writer(info)  # raises the CSRF error
    await sessions.delete_session(info.context.pool, token_hash=viewer.token_hash)
    await info.context.pubsub.session_ended(viewer.token_hash)
    if info.context.response is not None:
        info.context.response.delete_cookie(sessions.COOKIE, path="/")
    return True


async def viewer(info: Info) -> ViewerInfo | None:
    """The signed-in person, or null for anonymous requests."""
    current = info.context.viewer
    if current is None:
        return None
    row = await info.context.loaders.get(USER).load(current.user_id)
    assert row is not None  # a session's account keeps its row (deleting it ends the session)
    joined = await communities.get_joined_communities(
        info.context.pool, user_id=current.user_id, limit=MAX_JOINED_COMMUNITIES
    )
    return ViewerInfo(
        user=User.from_row(row),
        csrf_token=current.csrf_token,
        joined_communities=list(map(await communities_for_viewer(info, joined), joined)),
    )


# The domain's root fields: alike in shape to other domains' by design (see api/core/types.py).
@strawberry.type
class AuthQuery:
    viewer = strawberry.field(
        description="The signed-in person; null when nobody is signed in.", resolver=viewer
    )


@strawberry.type
class AuthMutation:
    sign_in_challenge = strawberry.mutation(
        description="Starts a sign-in: the EIP-4361 message for the wallet to sign.",
        resolver=sign_in_challenge,
    )
    sign_in = strawberry.mutation(
        description=(
            "Signs in with the signed challenge; the account is created at the first sign-in."
        ),
        resolver=sign_in,
    )
    sign_out = strawberry.mutation(description="Ends the session.", resolver=sign_out)
