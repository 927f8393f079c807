"""Hostile input, by class: each is a client's mistake with a documented code, never INTERNAL.

The classes come from issue 8's attack: page sizes that dodge the cost limit, variables of the
wrong type, forged cursors of the right shape, ids past PostgreSQL's bigint, text that cannot be
stored, absurd sign-in messages, and errors that echo unbounded input back.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import graphql
import httpx
import pytest

from api.core.pagination import max_items
from api.server.schema import schema as agora_schema
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client

SCHEMA = graphql.build_schema(agora_schema.as_str())


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def post(client: Client, query: str, variables: dict[str, Any]) -> httpx.Response:
    """Post as a client would; a lone surrogate travels as its JSON escape."""
    headers = {"content-type": "application/json"}
    if client.token:
        headers["authorization"] = f"Bearer {client.token}"
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    response = await client.http.post(client.url, content=body, headers=headers)
    client.http.cookies.clear()
    return response


async def send(client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await post(client, query, variables)
    assert response.status_code == 200, response.text[:300]
    answer: dict[str, Any] = response.json()
    return answer


async def only_error(client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await send(client, query, variables)
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body["errors"]
    return body["errors"][0]


# --- page sizes and the cost limit ------------------------------------------------------------

USER_ADDRESS = "0x" + "1" * 40
# Every field taking `first`, with the arguments it needs besides.
PAGED = {
    "communities": "communities(first: $first) { edges { node { id } } }",
    "posts": "posts(first: $first) { edges { node { id } } }",
    "search": 'search(query: "word", first: $first) { edges { node { __typename } } }',
    "modlog": 'modlog(community: "<c>", first: $first) { edges { node { id } } }',
    "reports": 'reports(community: "<c>", first: $first) { edges { node { id } } }',
    "bans": 'bans(community: "<c>", first: $first) { edges { node { reason } } }',
    "notifications": "notifications(first: $first) { edges { node { id } } }",
    "user.posts": 'user(address: "<a>") { posts(first: $first) { edges { node { id } } } }',
    "user.comments": 'user(address: "<a>") { comments(first: $first) { edges { node { id } } } }',
    "user.rewards": 'user(address: "<a>") { rewards(first: $first) { edges { node { amount } } } }',
    "user.tipsReceived": (
        'user(address: "<a>") { tipsReceived(first: $first) { edges { node { amount } } } }'
    ),
    "user.tipsSent": (
        'user(address: "<a>") { tipsSent(first: $first) { edges { node { amount } } } }'
    ),
}


def test_every_paged_field_is_covered() -> None:
    def paged(type_: graphql.GraphQLObjectType) -> set[str]:
        return {name for name, field in type_.fields.items() if "first" in field.args}

    assert paged(SCHEMA.query_type) | {  # type: ignore[arg-type]
        f"user.{n}"
        for n in paged(SCHEMA.get_type("User"))  # type: ignore[arg-type]
    } == set(PAGED)


def test_every_list_of_objects_has_a_bound_the_cost_limit_counts() -> None:
    # a page's `first`, or the `max_items` its resolver caps it at: nothing is unbounded
    unbounded = [
        f"{type_.name}.{name}"
        for type_ in agora_schema._schema.type_map.values()
        if isinstance(type_, graphql.GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if graphql.is_list_type(graphql.get_nullable_type(field.type))
        and graphql.is_composite_type(graphql.get_named_type(field.type))
        and "first" not in field.args
        and max_items(field) is None
    ]
    assert unbounded == []


@pytest.mark.parametrize("first", [-1_000_000, -1, 0, 101, 2**31 - 1])
@pytest.mark.parametrize("field", sorted(PAGED))
async def test_a_page_size_out_of_range_is_refused_everywhere(
    alice: Client, field: str, first: int
) -> None:
    # given a community alice moderates, so that every list answers her
    community = await create_community(alice)
    assert alice.account is not None
    selection = PAGED[field].replace("<c>", community["name"]).replace("<a>", alice.account.address)
    # when
    error = await only_error(alice, f"query($first: Int!) {{ {selection} }}", {"first": first})
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert error["message"] == "first must be between 1 and 100."


async def test_a_negative_first_cannot_pay_for_a_costly_sibling(anonymous: Client) -> None:
    # given a query whose second field alone is far over the cost limit
    costly = (
        "communities(first: 100) { edges { node { moderators { posts(first: 100) "
        "{ edges { node { title } } } } } } }"
    )
    query = f"{{ cheap: posts(first: -1000000) {{ edges {{ node {{ id }} }} }} {costly} }}"
    # when
    error = await only_error(anonymous, query, {})
    # then nothing runs: the negative page counts as the largest page, not as a negative cost
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "the limit is 5000" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        # first from a variable counts as the largest page
        "query($n: Int!) { posts(first: $n) { edges { node { community { moderators {"
        " posts(first: $n) { edges { node { id } } } } } } } } }",
        # a list without first counts its default page (25), not one item
        "{ communities { edges { node { moderators { posts { edges { node { author {"
        " posts { edges { node { id } } } } } } } } } } } }",
        # the comments of a post count the 2,000 they may return
        '{ a: comments(postId: "UG9zdDox") { author { id } }'
        ' b: comments(postId: "UG9zdDox") { author { id } } }',
    ],
    ids=["variable first", "default first", "comments root"],
)
async def test_every_list_counts_its_real_maximum(anonymous: Client, query: str) -> None:
    error = await only_error(anonymous, query, {"n": 1})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "the limit is 5000" in error["message"]


async def test_the_comments_of_a_post_stay_within_their_cost(alice: Client) -> None:
    # given a post with a comment
    community = await create_community(alice)
    post = await create_post(alice, community["name"])
    await create_comment(alice, post["id"])
    # when the thread is asked with its authors, as the forum asks (2,000 x 2 objects at most)
    body = await send(
        alice, "query($p: ID!) { comments(postId: $p) { id author { id } } }", {"p": post["id"]}
    )
    # then it fits the cost limit
    assert "errors" not in body and len(body["data"]["comments"]) == 1


# --- variables of the wrong type --------------------------------------------------------------

WRONG_VARIABLES = [
    ("query($f: Int!) { posts(first: $f) { edges { node { id } } } }", {"f": "ten"}),
    ("query($f: Int!) { posts(first: $f) { edges { node { id } } } }", {"f": {"n": 1}}),
    ("query($f: Int!) { posts(first: $f) { edges { node { id } } } }", {"f": 2**70}),
    ("query($f: Int!) { posts(first: $f) { edges { node { id } } } }", {"f": 1.5}),
    ("query($f: Int!) { posts(first: $f) { edges { node { id } } } }", {"f": None}),
    ("query($s: PostSort!) { posts(sort: $s) { edges { node { id } } } }", {"s": "BEST"}),
    ("query($s: PostSort!) { posts(sort: $s) { edges { node { id } } } }", {"s": ["HOT"]}),
    ("query($i: ID!) { post(id: $i) { id } }", {"i": {"id": 1}}),
    ("query($i: ID!) { post(id: $i) { id } }", {"i": True}),
    (
        "mutation($i: BanUserInput!) { banUser(input: $i) { reason } }",
        {"i": {"community": "c", "address": USER_ADDRESS, "expiresAt": "tomorrow"}},
    ),
    (
        "mutation($i: BanUserInput!) { banUser(input: $i) { reason } }",
        {"i": {"community": "c", "address": USER_ADDRESS, "expiresAt": 12}},
    ),
    (
        "mutation($i: CreatePostInput!) { createPost(input: $i) { id } }",
        {"i": {"community": "c", "title": "t", "unknown": 1}},
    ),
    ("mutation($i: CreatePostInput!) { createPost(input: $i) { id } }", {"i": "title"}),
    ("mutation($i: CreateCommunityInput!) { createCommunity(input: $i) { id } }", {"i": []}),
]


@pytest.mark.parametrize("query, variables", WRONG_VARIABLES)
async def test_variables_of_the_wrong_type_are_the_clients_mistake(
    alice: Client, query: str, variables: dict[str, Any]
) -> None:
    error = await only_error(alice, query, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Variable '$")


# --- forged cursors -----------------------------------------------------------------------

# Listings and the query that reads one page after a cursor of theirs.
LISTINGS = {
    **{
        f"posts:{sort}": f'posts(community: "<c>", sort: {sort}, after: $after)'
        for sort in ("HOT", "NEW", "TOP_DAY", "TOP_WEEK", "TOP_ALL", "CONTROVERSIAL", "ACTIVE")
    },
    **{
        f"communities:{sort}": f"communities(sort: {sort}, after: $after)"
        for sort in ("POPULAR", "NEW", "NAME")
    },
    "modlog": 'modlog(community: "<c>", after: $after)',
    "reports": 'reports(community: "<c>", after: $after, unresolvedOnly: false)',
    "bans": 'bans(community: "<c>", after: $after)',
    "user posts": 'user(address: "<a>") { posts(after: $after)',
    "user comments": 'user(address: "<a>") { comments(after: $after)',
}
# What a forger puts in place of one element of a real key.
FORGED_ELEMENTS = [
    "x",
    "",
    2**63,
    2**80,
    -(2**63) - 1,
    1.5,
    1e308,
    None,
    True,
    {"a": 1},
    [1, 2],
    "2024-01-01T00:00:00",  # a time without its zone
    "2024-01-01T00:00:00+00:00",  # a window start where the listing writes null
    "0001-01-01T00:00:00+01:00",  # before the calendar starts, once in UTC
    "nul\x00",
    "x" * 500,
]
# The key each listing writes, as many elements as it has (kind first).
KEY_LENGTHS = {
    **{kind: 3 for kind in LISTINGS if kind.startswith("posts:")},
    "communities:POPULAR": 2,
    "communities:NEW": 2,
    "communities:NAME": 1,
    "modlog": 1,
    "reports": 1,
    "bans": 2,
    "user posts": 3,
    "user comments": 3,
}
CURSOR_KIND = {"user posts": "posts:NEW", "user comments": "posts:NEW"}
REAL_KEYS = {1: [1], 2: [1, "2024-01-01T00:00:00+00:00"], 3: [1, 1, None]}


def forged_cursors() -> list[Any]:
    cases = []
    for listing, length in KEY_LENGTHS.items():
        for position in range(length):
            for element in FORGED_ELEMENTS:
                key = list(REAL_KEYS[length])
                key[position] = element
                cases.append(pytest.param(listing, key, id=f"{listing}-{position}-{element!r:.12}"))
    return cases


@pytest.mark.parametrize("listing, key", forged_cursors())
async def test_a_forged_cursor_of_the_right_shape_is_refused(
    alice: Client, listing: str, key: list[Any]
) -> None:
    # given a list alice may read, and a cursor of its kind and length with one element forged
    community = await create_community(alice)
    assert alice.account is not None
    field = (
        LISTINGS[listing].replace("<c>", community["name"]).replace("<a>", alice.account.address)
    )
    closing = " }" if field.startswith("user(") else ""
    kind = CURSOR_KIND.get(listing, listing)
    cursor = b64(json.dumps([kind, *key]).encode())
    query = f"query($after: String) {{ {field} {{ edges {{ cursor }} }}{closing} }}"
    # when
    body = await send(alice, query, {"after": cursor})
    # then it is refused as the client's mistake, or (a key that is merely unusual) answered
    for error in body.get("errors") or ():
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, error


# --- ids past PostgreSQL's bigint -------------------------------------------------------------

BIG_NUMBERS = ["9223372036854775808", str(2**64), "1" + "0" * 30, "0", "-1", "1_000", " 12", "١٢"]
ID_FIELDS = [
    ("query($id: ID!) { post(id: $id) { id } }", "id", "Post"),
    ("mutation($id: ID!) { deletePost(id: $id) { id } }", "id", "Post"),
    ("mutation($id: ID!) { deleteComment(id: $id) { id } }", "id", "Comment"),
    ("mutation($id: ID!) { vote(targetId: $id, direction: UP) { score } }", "targetId", "Post"),
    ('mutation($id: ID!) { report(targetId: $id, reason: "spam") }', "targetId", "Comment"),
    ("mutation($id: ID!) { resolveReport(id: $id) { id } }", "id", "Report"),
    (
        'mutation($id: ID!) { createComment(input: {postId: $id, body: "hi"}) { id } }',
        "postId",
        "Post",
    ),
    ("query($id: ID!) { comments(postId: $id) { id } }", "postId", "Post"),
]


@pytest.mark.parametrize("number", BIG_NUMBERS)
@pytest.mark.parametrize("query, field, kind", ID_FIELDS)
async def test_an_id_past_the_bigint_range_is_not_an_id(
    alice: Client, query: str, field: str, kind: str, number: str
) -> None:
    error = await only_error(alice, query, {"id": b64(f"{kind}:{number}".encode())})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert "is not a valid id" in error["message"]


# --- text that cannot be stored, in every string argument ----------------------------------


def placeholder(type_: graphql.GraphQLInputType) -> Any:
    """A value of `type_` that passes graphql-core's checks (the text check comes first)."""
    named = graphql.get_named_type(type_)
    if graphql.is_list_type(graphql.get_nullable_type(type_)):
        return [placeholder(type_.of_type if graphql.is_non_null_type(type_) else type_.of_type)]  # type: ignore[union-attr]
    if isinstance(named, graphql.GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, graphql.GraphQLInputObjectType):
        return {n: placeholder(f.type) for n, f in named.fields.items()}
    return {"Int": 1, "Boolean": True, "DateTime": "2999-01-01T00:00:00Z"}.get(named.name, "x")


def string_arguments() -> list[Any]:
    """(operation, field, variables path, name) for every string reachable from an argument."""
    found = []
    for operation, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        for name, field in root.fields.items():  # type: ignore[union-attr]
            for arg_name, arg in field.args.items():
                named = graphql.get_named_type(arg.type)
                if named.name in ("String", "ID", "DateTime"):
                    found.append((operation, name, (arg_name,), arg_name))
                elif isinstance(named, graphql.GraphQLInputObjectType):
                    for input_name, input_field in named.fields.items():
                        inner = graphql.get_named_type(input_field.type)
                        if inner.name in ("String", "ID", "DateTime"):
                            found.append((operation, name, (arg_name, input_name), input_name))
    return found


def _with(value: Any, path: tuple[str, ...], text: str) -> Any:
    if not path:
        return [text] if isinstance(value, list) else text
    return {**value, path[0]: _with(value[path[0]], path[1:], text)}


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate", "\udfff"])
@pytest.mark.parametrize(
    "operation, name, path, field",
    string_arguments(),
    ids=lambda v: ".".join(v) if isinstance(v, tuple) else str(v),
)
async def test_text_that_cannot_be_stored_is_refused_naming_its_field(
    alice: Client, operation: str, name: str, path: tuple[str, ...], field: str, text: str
) -> None:
    # given the field's arguments as variables, valid but for one unstorable string
    root = SCHEMA.query_type if operation == "query" else SCHEMA.mutation_type
    args = root.fields[name].args  # type: ignore[union-attr]
    variables = {a: placeholder(args[a].type) for a in args}
    variables[path[0]] = _with(variables[path[0]], path[1:], text)
    definitions = ", ".join(f"${a}: {args[a].type}" for a in args)
    passed = ", ".join(f"{a}: ${a}" for a in args)
    composite = graphql.is_composite_type(graphql.get_named_type(root.fields[name].type))  # type: ignore[union-attr]
    query = (
        f"{operation}({definitions}) {{ {name}({passed}){' { __typename }' if composite else ''} }}"
    )
    if "\x00" in text:
        # when
        error = await only_error(alice, query, variables)
        # then
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
        assert "cannot be stored" in error["message"]
    else:
        # when: a lone surrogate is no UTF-8, so JSON carrying one is refused whole, unparsed
        response = await post(alice, query, variables)
        # then
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT"}
        assert "UTF-8" in error["message"]


async def test_a_nul_in_a_literal_is_refused_naming_its_field(alice: Client) -> None:
    community = await create_community(alice)
    title = '"a\\u0000b"'  # NUL, escaped as GraphQL allows
    values = f'community: "{community["name"]}", title: {title}'
    query = f"mutation {{ createPost(input: {{{values}}}) {{ id }} }}"
    error = await only_error(alice, query, {})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "title"}


async def test_a_lone_surrogate_in_a_literal_is_a_syntax_error(alice: Client) -> None:
    community = await create_community(alice)
    body = '"a\\ud800b"'  # GraphQL's escape of a lone surrogate, which its grammar refuses
    values = f'community: "{community["name"]}", title: "t", body: {body}'
    query = f"mutation {{ createPost(input: {{{values}}}) {{ id }} }}"
    error = await only_error(alice, query, {})
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "Invalid Unicode escape sequence" in error["message"]


# --- absurd sign-in messages ------------------------------------------------------------------


def siwe(address: str, **fields: str) -> str:
    values = {
        "domain": "127.0.0.1",
        "uri": "http://127.0.0.1",
        "chain": "31337",
        "nonce": "abcdef0123456789",
        "issued": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "extra": "",
        **fields,
    }
    return (
        f"{values['domain']} wants you to sign in with your Ethereum account:\n{address}\n\n\n"
        f"URI: {values['uri']}\nVersion: 1\nChain ID: {values['chain']}\n"
        f"Nonce: {values['nonce']}\nIssued At: {values['issued']}{values['extra']}"
    )


SIGN_IN = "mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }"
ADDRESS = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
ABSURD_MESSAGES = {
    "5000-digit chain id": siwe(ADDRESS, chain="9" * 5000),
    "25-digit chain id": siwe(ADDRESS, chain="9" * 25),
    "chain id past 64 bits": siwe(ADDRESS, chain=str(2**64)),
    "10,000-character nonce": siwe(ADDRESS, nonce="a" * 10_000),
    "year 1 in a zone east of UTC": siwe(ADDRESS, issued="0001-01-01T00:00:00+01:00"),
    "year 9999 west of UTC": siwe(ADDRESS, extra="\nExpiration Time: 9999-12-31T23:59:59-05:00"),
    "a date that is not one": siwe(ADDRESS, issued="2024-13-45T99:99:99Z"),
    "a 100,000-character domain": siwe(ADDRESS, domain="d" * 100_000),
    "a 3,000-character domain": siwe(ADDRESS, domain="d" * 3000),
    "a 100,000-character request id": siwe(ADDRESS, extra="\nRequest ID: " + "r" * 100_000),
    "resources by the thousand": siwe(ADDRESS, extra="\nResources:" + "\n- http://x" * 5000),
    "no message at all": "",
}
ABSURD_SIGNATURES = {"empty": "", "not hex": "0xzz", "huge": "0x" + "ab" * 50_000}


@pytest.mark.parametrize("message", ABSURD_MESSAGES.values(), ids=ABSURD_MESSAGES.keys())
async def test_an_absurd_sign_in_message_is_refused(anonymous: Client, message: str) -> None:
    error = await only_error(anonymous, SIGN_IN, {"m": message, "s": "0x" + "00" * 65})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert len(error["message"]) < 200


@pytest.mark.parametrize("signature", ABSURD_SIGNATURES.values(), ids=ABSURD_SIGNATURES.keys())
async def test_an_absurd_signature_is_refused(anonymous: Client, signature: str) -> None:
    error = await only_error(anonymous, SIGN_IN, {"m": siwe(ADDRESS), "s": signature})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


# --- errors quote input in bounded form -------------------------------------------------------

LONG = "x" * 100_000
ECHOES = [
    ("query($v: ID!) { post(id: $v) { id } }", {"v": LONG}),
    ("query($v: String!) { posts(community: $v) { edges { cursor } } }", {"v": LONG}),
    ("mutation($v: String!) { joinCommunity(name: $v) { id } }", {"v": LONG}),
    ("mutation($v: String!) { unbanUser(community: $v, address: $v) }", {"v": LONG}),
    ("query($v: PostSort!) { posts(sort: $v) { edges { cursor } } }", {"v": LONG}),
    ("query($v: Int!) { posts(first: $v) { edges { cursor } } }", {"v": LONG}),
    # just under the document limit (a longer one is refused before parsing, unquoted)
    ("{ " + "y" * 30_000 + " }", {}),
]


@pytest.mark.parametrize("query, variables", ECHOES, ids=[f"echo-{i}" for i in range(len(ECHOES))])
async def test_an_error_quotes_at_most_a_bounded_part_of_the_input(
    alice: Client, query: str, variables: dict[str, Any]
) -> None:
    error = await only_error(alice, query, variables)
    assert error["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND")
    assert len(error["message"]) <= 500


async def test_a_real_cursor_still_pages(alice: Client) -> None:
    # the checks refuse forgeries only: a page's own cursor leads to the next page
    community = await create_community(alice)
    for title in ("one", "two"):
        await create_post(alice, community["name"], title=title)
    await create_comment(alice, (await create_post(alice, community["name"]))["id"])
    query = """query($c: String, $after: String) {
      posts(community: $c, sort: NEW, first: 1, after: $after) {
        edges { node { title } } pageInfo { endCursor } } }"""
    first = (await send(alice, query, {"c": community["name"]}))["data"]["posts"]
    after = first["pageInfo"]["endCursor"]
    second = (await send(alice, query, {"c": community["name"], "after": after}))["data"]
    assert first["edges"][0]["node"]["title"] != second["posts"]["edges"][0]["node"]["title"]
