"""Hostile and broken requests: refused before anything parses them, with HTTP 400 or 413 and a
GraphQL-style error body, and the server goes on answering everyone else."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest
import websockets
from eth_account import Account

from agora.settings import Settings
from tests.support.graphql import SIGN_IN_CHALLENGE, Client
from tests.support.server import LiveServer, start_server

TYPENAME = {"query": "{ __typename }"}
LISTING = """
query Listing($first: Int!, $sort: PostSort!) {
  posts(first: $first, sort: $sort) { edges { node { id } } }
}
"""
PREVIEW = "query Preview($source: String!) { renderMarkdown(source: $source) }"
DEPTH = 80_000


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def deeply_nested_body() -> bytes:
    """The ~160 KB body that used to kill the worker (SIGSEGV in the C JSON decoder)."""
    return b'{"query":"{__typename}","variables":{"x":' + nested(DEPTH).encode() + b"}}"


def assert_refused(response: httpx.Response, status: int = 400) -> str:
    """The response is a refusal with `status`, a GraphQL error body and a short message."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert 0 < len(error["message"]) <= 200
    return error["message"]


async def still_answers(http: httpx.AsyncClient, url: str) -> None:
    response = await http.post(url, json=TYPENAME)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def post_raw(
    http: httpx.AsyncClient, url: str, body: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return await http.post(url, content=body, headers={"content-type": content_type})


async def test_deeply_nested_json_is_refused_and_the_server_lives_on(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    # when a body nests 80,000 levels deep, anonymously and signed in
    for headers in ({}, {"authorization": "Bearer nobody"}):
        response = await http.post(
            live_server.graphql_url,
            content=deeply_nested_body(),
            headers={"content-type": "application/json", **headers},
        )
        # then it is refused, saying why
        assert "nested more than 32 levels" in assert_refused(response)
    # and the server still answers
    await still_answers(http, live_server.graphql_url)


async def test_nesting_within_the_limit_is_no_reason_to_refuse(
    anonymous: Client, live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    # given brackets inside strings, escaped quotes, and nesting right at the limit
    variables = {
        "source": '\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'
    }
    data = await anonymous.data(PREVIEW, variables)
    assert "[[[[" in data["renderMarkdown"]
    # (the body's object and the variables' are two of the 32 levels)
    body = {"query": "{ __typename }", "variables": {"x": json.loads(nested(30))}}
    assert (await http.post(live_server.graphql_url, json=body)).status_code == 200
    body["variables"] = {"x": json.loads(nested(31))}
    assert_refused(await http.post(live_server.graphql_url, json=body))


async def test_a_body_over_the_size_limit_is_refused_with_413(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    limit = live_server.settings.max_body_bytes
    # a body one byte over the limit, and one of 10 MB
    padding = " " * (limit - len(json.dumps(TYPENAME)) + 1)
    for body in (json.dumps(TYPENAME) + padding, json.dumps({"query": "{__typename}" * 900_000})):
        response = await post_raw(http, live_server.graphql_url, body.encode())
        assert f"larger than the limit of {limit} bytes" in assert_refused(response, 413)
    # and a body right at the limit is read
    at_limit = json.dumps(TYPENAME) + " " * (limit - len(json.dumps(TYPENAME)))
    assert (await post_raw(http, live_server.graphql_url, at_limit.encode())).status_code == 200
    await still_answers(http, live_server.graphql_url)


async def test_a_body_streamed_without_a_length_is_cut_at_the_limit(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    async def chunks():  # chunked transfer encoding: no content-length to refuse up front
        yield b'{"query":"{__typename}", "x": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}'

    response = await http.post(
        live_server.graphql_url, content=chunks(), headers={"content-type": "application/json"}
    )
    assert_refused(response, 413)


@pytest.mark.parametrize(
    "body",
    [
        b"3",
        b'"x"',
        b"[]",
        b"null",
        b"",
        b'{"query":',
        b'{"query": 3}',
        b'{"query": "{ __typename }", "variables": []}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "operationName": 5}',
        b'{"query": "{ __typename }", "extensions": 1}',
        b'{"query": "{ __typename }\xff"}',  # invalid UTF-8
        b'{"query": "{ __typename }", "variables": {"id": "\xed\xa0\x80"}}',  # UTF-8 of a surrogate
        b'{"query": "query($id: ID!) { post(id: $id) { id } }", "variables": {"id": "\\ud800"}}',
        b'{"query": "{ post(id: \\"\\udfff\\") { id } }"}',
        b'{"query": "{ __typename }", "variables": {"n": 1e999}}',
    ],
    ids=lambda body: body.decode(errors="replace")[:40],
)
async def test_a_bad_body_is_answered_400_with_a_code(
    body: bytes, live_server: LiveServer, http: httpx.AsyncClient, alice: Client
) -> None:
    assert_refused(await post_raw(http, live_server.graphql_url, body))
    # the same for a signed-in client, whose requests take another path
    response = await http.post(
        live_server.graphql_url,
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {alice.token}"},
    )
    assert_refused(response)


async def test_an_error_message_never_repeats_the_input(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    junk = b'{"query": "{ __typename }", "variables": {"x": ' + b"\xff" * 100_000 + b"}}"
    assert b"\\xff" not in (await post_raw(http, live_server.graphql_url, junk)).content
    assert_refused(await post_raw(http, live_server.graphql_url, junk))
    long_query = json.dumps({"query": "{ __typename }" + " " * 40_000}).encode()
    assert "longer than the limit" in assert_refused(
        await post_raw(http, live_server.graphql_url, long_query)
    )


async def test_a_body_that_is_not_json_is_refused_with_a_json_answer(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    response = await post_raw(
        http, live_server.graphql_url, json.dumps(TYPENAME).encode(), "text/plain"
    )
    assert_refused(response)


async def test_a_subscription_over_http_is_refused_with_a_400(
    live_server: LiveServer, http: httpx.AsyncClient, alice: Client
) -> None:
    # (it is followed over a WebSocket; over HTTP it used to fail inside, as an INTERNAL error)
    subscription = {"query": "subscription { postCreated { id } }"}
    assert "subscriptions" in assert_refused(
        await http.post(live_server.graphql_url, json=subscription)
    )
    signed_in = {"authorization": f"Bearer {alice.token}"}
    assert "subscriptions" in assert_refused(
        await http.post(live_server.graphql_url, json=subscription, headers=signed_in)
    )
    await still_answers(http, live_server.graphql_url)


async def test_a_document_of_several_operations_must_name_the_one_to_run(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    # (strawberry ran the first one, whatever the client meant)
    document = "query First { __typename } query Second { viewer { __typename } }"
    message = assert_refused(await http.post(live_server.graphql_url, json={"query": document}))
    assert "operationName" in message
    named = {"query": document, "operationName": "Second"}
    response = await http.post(live_server.graphql_url, json=named)
    assert response.json() == {"data": {"viewer": None}}
    unknown = {"query": document, "operationName": "Third"}
    assert "Third" in assert_refused(await http.post(live_server.graphql_url, json=unknown))
    await still_answers(http, live_server.graphql_url)


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ __typename }", "variables": nested(5_000)},
        {"query": "{ __typename }", "variables": "not json"},
        {"query": "{ __typename }", "variables": "3"},
        {"query": "{ __typename }", "variables": '{"x": "\\ud800"}'},
        {"query": "{ __typename }", "extensions": "[]"},
        {"query": "{ __typename }" + " " * 40_000},
        {"query": "mutation { signOut }"},
    ],
    ids=["deep", "not-json", "scalar", "surrogate", "extensions", "long-query", "mutation"],
)
async def test_a_get_with_bad_parameters_is_answered_400(
    params: dict[str, str], live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    response = await http.get(live_server.graphql_url, params=params)
    assert response.status_code in (400, 405), response.text[:300]
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await still_answers(http, live_server.graphql_url)


async def test_a_get_query_string_over_the_limit_is_refused(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    # sent by hand: httpx refuses to send so long a URL
    host, port = live_server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    target = "/graphql?query=%7B__typename%7D&x=" + "y" * live_server.settings.max_body_bytes
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    status_line = answer.partition(b"\r\n")[0]
    # uvicorn's parser refuses a request line over ~80 KB itself (400); the app's own 414 is
    # for a MAX_BODY_BYTES set below that
    assert status_line.split()[1] in (b"400", b"414"), status_line
    await still_answers(http, live_server.graphql_url)


class TransportWs:
    """A bare graphql-transport-ws connection, acknowledged."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://")

    async def __aenter__(self) -> websockets.ClientConnection:
        self.ws = await websockets.connect(
            self.url, subprotocols=["graphql-transport-ws"], max_size=None
        )
        await self.ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await self.ws.recv())["type"] == "connection_ack"
        return self.ws

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()


async def closed_with(ws: websockets.ClientConnection) -> tuple[int, str]:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.parametrize(
    "message",
    [
        '{"id": "1", "type": "subscribe", "payload": {"query": '
        '"subscription { postCreated { id } }", "variables": {"x": ' + nested(DEPTH) + "}}}",
        "3",
        "[]",
        '{"type": "' + "x" * 10_000 + '"}',
        '{"type": "subscribe", "id": ["1"], "payload": {"query": "{ __typename }"}}',
        '{"type": "subscribe", "id": "1", "payload": 3}',
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", '
        '"variables": {"x": "\\ud800"}}}',
    ],
    ids=["deep", "scalar", "list", "long-type", "list-id", "scalar-payload", "surrogate"],
)
async def test_a_bad_websocket_message_closes_with_4400(
    message: str, live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    async with TransportWs(live_server.graphql_url) as ws:
        await ws.send(message)
        code, reason = await closed_with(ws)
    assert code == 4400
    assert 0 < len(reason) <= 123
    await still_answers(http, live_server.graphql_url)


async def test_a_websocket_message_over_the_size_limit_is_refused(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    big = json.dumps({"type": "ping", "payload": {"x": "y" * live_server.settings.max_body_bytes}})
    async with TransportWs(live_server.graphql_url) as ws:
        await ws.send(big)
        code, _ = await closed_with(ws)
    assert code in (1009, 4400)  # too big for the server to take in, or for the app
    await still_answers(http, live_server.graphql_url)


async def test_simultaneous_identical_mutations_each_run(
    anonymous: Client, http: httpx.AsyncClient, live_server: LiveServer
) -> None:
    # given ten identical sign-in challenges for one address, sent at the same instant
    address = Account.create().address
    body = {"query": SIGN_IN_CHALLENGE, "variables": {"address": address}}
    responses = await asyncio.gather(
        *(http.post(live_server.graphql_url, json=body) for _ in range(10))
    )
    # then each got its own nonce
    nonces = {r.json()["data"]["signInChallenge"]["nonce"] for r in responses}
    assert len(nonces) == 10


async def test_reads_that_differ_only_in_spelling_share_one_answer(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    # given a listing read once, anonymously
    first = {"query": LISTING, "variables": {"first": 3, "sort": "NEW"}}
    expected = (await http.post(live_server.graphql_url, json=first)).json()
    counter = live_server.resources.query_counter
    before = counter.count
    # when it is asked again with other whitespace, a comment and the variables in another order
    respelled = {
        "query": "# the same\n" + LISTING.replace(" ", "\n  "),
        "variables": {"sort": "NEW", "first": 3},
    }
    again = (await http.post(live_server.graphql_url, json=respelled)).json()
    # then the shared answer served it, without a query to the database
    assert again == expected
    assert counter.count == before


async def test_the_shared_answers_stay_within_their_bytes(
    settings: Settings, database_url: str, redis_url: str, http: httpx.AsyncClient
) -> None:
    # given a server whose shared answers may hold 256 KiB
    bound = 256 * 1024
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        response_cache_bytes=bound,
        render_rate_limit=1_000_000,
    )
    try:
        cache = server.resources.cache
        # when sixty distinct anonymous reads of ~35 KB answers each, in ~36 KB bodies, are asked
        for n in range(60):
            variables = {"source": f"{n} " + "word " * 7_000}
            response = await http.post(
                server.graphql_url, json={"query": PREVIEW, "variables": variables}
            )
            assert response.status_code == 200
            assert len(response.content) > 30_000
            # then the shared answers, and the bodies known to be reads, stay within bounds
            assert cache.responses.bytes <= bound
            assert cache.read_keys.bytes <= bound // 4
        assert 0 < len(cache.responses) < 60
    finally:
        server.stop()


def test_the_recursion_limit_is_pythons_own_after_start_up() -> None:
    # py_ecc (through web3 and eth_account) raises it to 100,000 on import, which let deep JSON
    # overflow the C stack; building the app puts it back, and later imports do not raise it
    script = (
        "import sys\n"
        "from agora.settings import Settings\n"
        "from api.server.app import create_app\n"
        "create_app(Settings(), database_url='postgresql://unused', redis_url='redis://unused')\n"
        "import web3\n"
        "print(sys.getrecursionlimit())\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "1000"
