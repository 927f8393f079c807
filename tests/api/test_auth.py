"""Signing in with a wallet (EIP-4361): the challenge, the signature, and the ways it can fail."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from eth_account import Account

from api.auth import siwe
from api.auth.sessions import hash_token
from api.core.caching import SESSION_SECONDS
from tests.support.graphql import SIGN_IN, SIGN_IN_CHALLENGE, Client, sign, sign_in

VIEWER = "query { viewer { user { address } csrfToken } }"


async def challenge_for(client: Client, address: str) -> str:
    data = await client.data(SIGN_IN_CHALLENGE, {"address": address})
    return data["signInChallenge"]["message"]


async def test_a_signed_challenge_opens_a_session(anonymous: Client) -> None:
    # given
    account = Account.create()
    message = await challenge_for(anonymous, account.address)
    # when
    session = await anonymous.data(
        SIGN_IN, {"message": message, "signature": sign(account, message)}
    )
    # then
    anonymous.token = session["signIn"]["token"]
    viewer = (await anonymous.data(VIEWER))["viewer"]
    assert viewer["user"]["address"] == account.address
    assert viewer["csrfToken"] == session["signIn"]["csrfToken"]


async def test_the_challenge_is_an_eip4361_message_for_this_server(
    anonymous: Client, live_server
) -> None:
    account = Account.create()
    message = siwe.parse(await challenge_for(anonymous, account.address))
    assert message.domain == live_server.settings.siwe_domain
    assert message.uri == live_server.settings.siwe_uri
    assert message.address == account.address
    assert message.chain_id == 31337
    assert message.expiration_time is not None and message.expiration_time > datetime.now(UTC)


async def test_a_replayed_nonce_is_refused(anonymous: Client) -> None:
    # given a message already used to sign in
    account = Account.create()
    message = await challenge_for(anonymous, account.address)
    signature = sign(account, message)
    await anonymous.data(SIGN_IN, {"message": message, "signature": signature})
    # when it is sent again
    error = await anonymous.error(SIGN_IN, {"message": message, "signature": signature})
    # then
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "already used" in error["message"]


async def test_an_expired_message_is_refused(anonymous: Client, live_server) -> None:
    # given a well-formed message whose expiration time has passed
    account = Account.create()
    issued = datetime.now(UTC) - timedelta(hours=1)
    message = siwe.challenge(
        domain=live_server.settings.siwe_domain,
        uri=live_server.settings.siwe_uri,
        chain_id=31337,
        address=account.address,
        nonce=siwe.new_nonce(),
        ttl=timedelta(minutes=10),
        now=issued,
    ).text()
    # when
    error = await anonymous.error(
        SIGN_IN, {"message": message, "signature": sign(account, message)}
    )
    # then
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]


async def test_a_message_for_another_chain_is_refused(anonymous: Client) -> None:
    account = Account.create()
    message = (await challenge_for(anonymous, account.address)).replace(
        "Chain ID: 31337", "Chain ID: 1"
    )
    error = await anonymous.error(
        SIGN_IN, {"message": message, "signature": sign(account, message)}
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "chain 1" in error["message"]


async def test_a_signature_by_someone_else_is_refused(anonymous: Client) -> None:
    account, impostor = Account.create(), Account.create()
    message = await challenge_for(anonymous, account.address)
    error = await anonymous.error(
        SIGN_IN, {"message": message, "signature": sign(impostor, message)}
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "not made by the address" in error["message"]


async def test_a_message_for_another_site_is_refused(anonymous: Client) -> None:
    account = Account.create()
    message = (await challenge_for(anonymous, account.address)).replace(
        anonymous.url.split("/")[2], "evil.example", 1
    )
    error = await anonymous.error(
        SIGN_IN, {"message": message, "signature": sign(account, message)}
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "evil.example" in error["message"]


async def test_garbage_is_not_a_sign_in_message(anonymous: Client) -> None:
    error = await anonymous.error(SIGN_IN, {"message": "let me in", "signature": "0x00"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "EIP-4361" in error["message"]


async def test_a_bad_address_gets_no_challenge(anonymous: Client) -> None:
    error = await anonymous.error(SIGN_IN_CHALLENGE, {"address": "0x123"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}


async def test_signing_out_ends_the_session(alice: Client) -> None:
    assert await alice.data("mutation { signOut }") == {"signOut": True}
    assert (await alice.data(VIEWER))["viewer"] is None


async def test_a_session_ended_without_word_to_this_worker_stops_working_within_seconds(
    alice: Client, db: asyncpg.Connection
) -> None:
    # given alice's session, just used (so this worker remembers it)
    assert (await alice.data(VIEWER))["viewer"] is not None
    # when it ends where this worker does not hear of it (signed out through another worker
    # while Redis lost the message)
    assert alice.token is not None
    await db.execute("DELETE FROM sessions WHERE token_hash = $1", hash_token(alice.token))
    ended = time.monotonic()
    # then it stops working within the time a worker trusts a session it looked up
    while (await alice.data(VIEWER))["viewer"] is not None:
        assert time.monotonic() - ended < SESSION_SECONDS + 1.0
        await asyncio.sleep(0.1)


async def test_anonymous_viewer_is_null(anonymous: Client) -> None:
    assert (await anonymous.data(VIEWER)) == {"viewer": None}


async def test_browsers_get_an_httponly_cookie_and_need_the_csrf_header_to_write(
    live_server, http
) -> None:
    # given a browser-like client that signs in and keeps cookies
    browser = await sign_in(Client(live_server.graphql_url, http))
    token = browser.token
    cookie_client = Client(live_server.graphql_url, http)
    cookie_client.headers["Cookie"] = f"agora_session={token}"
    # then reading works with the cookie alone
    viewer = (await cookie_client.data(VIEWER))["viewer"]
    assert viewer["user"]["address"] == browser.account.address
    # but a write without the CSRF header is refused
    error = await cookie_client.error('mutation { updateProfile(input: {bio: "hi"}) { bio } }')
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "X-CSRF-Token" in error["message"]
    # and accepted with it
    cookie_client.headers["X-CSRF-Token"] = viewer["csrfToken"]
    data = await cookie_client.data('mutation { updateProfile(input: {bio: "hi"}) { bio } }')
    assert data == {"updateProfile": {"bio": "hi"}}


async def test_sign_in_sets_an_httponly_samesite_cookie(live_server, http) -> None:
    account = Account.create()
    client = Client(live_server.graphql_url, http)
    message = await challenge_for(client, account.address)
    response = await http.post(
        live_server.graphql_url,
        json={
            "query": SIGN_IN,
            "variables": {"message": message, "signature": sign(account, message)},
        },
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("agora_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
