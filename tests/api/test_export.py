"""GET /export: everything an account wrote, voted and joined, as one JSON download."""

from __future__ import annotations

import httpx

from agora.settings import Settings
from api.core import ids
from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server

JOIN = "mutation($name: String!) { joinCommunity(name: $name) { viewerIsMember } }"
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { isDeleted } }"
SAVE = "mutation($id: ID!) { save(targetId: $id, saved: true) }"
BLOCK_USER = "mutation($address: String!) { blockUser(address: $address, blocked: true) }"
BLOCK_COMMUNITY = "mutation($name: String!) { blockCommunity(name: $name, blocked: true) }"


def export_url(server: LiveServer) -> str:
    return f"{server.url}/export"


async def test_the_export_holds_what_the_account_wrote_voted_and_joined(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client, bob: Client
) -> None:
    # given
    community = await create_community(bob)
    await alice.data(JOIN, {"name": community["name"]})
    mine = await create_post(alice, community["name"], title="My garden", body="Tomatoes.")
    gone = await create_post(alice, community["name"], title="Second thoughts")
    await alice.data(DELETE_POST, {"id": gone["id"]})
    await create_comment(alice, mine["id"], "Also beans.")
    theirs = await create_post(bob, community["name"], title="Not mine")
    await vote(alice, theirs["id"], "UP")
    await create_post(bob, community["name"], title="Bob only")
    await alice.data(SAVE, {"id": theirs["id"]})
    await alice.data(BLOCK_USER, {"address": bob.account.address})
    await alice.data(BLOCK_COMMUNITY, {"name": community["name"]})
    # when
    response = await http.get(
        export_url(live_server), headers={"Authorization": f"Bearer {alice.token}"}
    )
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    document = response.json()
    assert document["schemaVersion"] == 1
    assert document["account"]["address"] == alice.account.address.lower()  # type: ignore[union-attr]
    posts = {p["title"]: p for p in document["posts"]}
    assert set(posts) == {"My garden", "Second thoughts"}  # deleted ones too: they are hers
    assert posts["My garden"]["body"] == "Tomatoes."
    assert posts["My garden"]["community"] == community["name"]
    assert posts["Second thoughts"]["deletedAt"] is not None
    assert [c["body"] for c in document["comments"]] == ["Also beans."]
    assert [v["value"] for v in document["postVotes"]] == [1]
    assert [m["community"] for m in document["memberships"]] == [community["name"]]
    assert document["rewardLines"] == [] and document["ledgerTransfers"] == []
    assert [s["postId"] for s in document["saved"]] == [ids.decode_one(theirs["id"], "Post")]
    assert [b["address"] for b in document["blockedUsers"]] == [bob.account.address.lower()]  # type: ignore[union-attr]
    assert [b["community"] for b in document["blockedCommunities"]] == [community["name"]]
    assert document["notifications"] == []


async def test_the_export_takes_the_session_cookie_too(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client
) -> None:
    response = await http.get(
        export_url(live_server), headers={"Cookie": f"agora_session={alice.token}"}
    )
    assert response.status_code == 200
    assert response.json()["account"]["address"] == alice.account.address.lower()  # type: ignore[union-attr]


async def test_without_a_session_the_export_is_refused(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    anonymous = await http.get(export_url(live_server))
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
    forged = await http.get(
        export_url(live_server), headers={"Authorization": "Bearer not-a-session"}
    )
    assert forged.status_code == 401


async def test_exports_count_against_the_write_rate_limit(
    settings: Settings, database_url: str, private_redis: PrivateRedis, http: httpx.AsyncClient
) -> None:
    # given a server that allows 3 writes an hour (an hour: no window ends during the test)
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=3,
        write_rate_window_seconds=3600,
    )
    try:
        # signing in takes two of them
        client = await sign_in(Client(server.graphql_url, http))
        headers = {"Authorization": f"Bearer {client.token}"}
        # when
        first = await http.get(export_url(server), headers=headers)
        second = await http.get(export_url(server), headers=headers)
        # then
        assert first.status_code == 200
        assert second.status_code == 429
        assert second.json()["error"]["code"] == "RATE_LIMITED"
        assert int(second.headers["retry-after"]) > 0
    finally:
        server.stop()
