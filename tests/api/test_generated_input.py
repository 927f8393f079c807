"""Generated input never reaches INTERNAL: INTERNAL means a bug of ours.

hypothesis-graphql writes operations for every query and mutation field of the schema, with
arguments drawn from the whole range of each type (and, in its negative mode, one argument of the
wrong type); a second strategy sends every argument as a variable holding any JSON at all. Both go
over HTTP to the live server, anonymously and signed in as a moderator of a real community, with
strings mixed from real names and ids, forged ids and cursors, huge and hostile text. Whatever
comes back must be an answer or documented client errors, never a 5xx nor INTERNAL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from api.core.errors import CODES
from api.server.schema import schema as agora_schema
from tests.support.factories import create_comment, create_community, create_post
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer

SCHEMA = graphql.build_schema(agora_schema.as_str())
QUERY_FIELDS = sorted(SCHEMA.query_type.fields)  # type: ignore[union-attr]
MUTATION_FIELDS = sorted(SCHEMA.mutation_type.fields)  # type: ignore[union-attr]

# Examples per field, client and strategy: 32 fields x 5 (valid and variables for each client,
# one-wrong once) x this many is about 1,000 requests, a minute or two on a CI machine.
EXAMPLES = 6

GENERATED = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run, so CI is stable
    database=None,  # nothing written to .hypothesis/
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LISTING_KINDS = [
    *(f"posts:{sort}" for sort in ("HOT", "NEW", "TOP_DAY", "TOP_ALL", "CONTROVERSIAL", "ACTIVE")),
    "communities:POPULAR",
    "communities:NEW",
    "communities:NAME",
    "modlog",
    "reports",
    "bans",
]
JSON_ATOMS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["\x00", "a\ud800", "\udfff", "2024-01-01T00:00:00+00:00", "0001-01-01"])
    | st.text(max_size=20)
)
ANY_JSON = st.recursive(
    JSON_ATOMS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def hostile_strings(real: list[str]) -> st.SearchStrategy[str]:
    """Real names, addresses and ids, and the input a client should never send."""
    forged_ids = st.builds(
        lambda kind, n: b64(f"{kind}:{n}".encode()),
        st.sampled_from(["Post", "Comment", "Community", "User", "Report", "Nope"]),
        st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=5),
    )
    forged_cursors = st.builds(
        lambda kind, key: b64(json.dumps([kind, *key]).encode()),
        st.sampled_from(LISTING_KINDS),
        st.lists(JSON_ATOMS, max_size=4),
    )
    huge = st.builds(lambda c, n: c * n, st.characters(codec="utf-8"), st.integers(0, 20_000))
    return st.one_of(st.sampled_from(real), forged_ids, forged_cursors, huge, st.text(max_size=40))


def string_nodes(strings: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return strings.map(lambda value: graphql.StringValueNode(value=value))


def dates() -> st.SearchStrategy[graphql.ValueNode]:
    moments = st.sampled_from(
        [
            "2999-01-01T00:00:00Z",
            "2000-01-01T00:00:00+00:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "2024-02-30T00:00:00",
        ]
    )
    return string_nodes(moments | st.text(max_size=30))


def variables_operation(operation: str, name: str) -> tuple[str, list[str]]:
    """`name` with each of its arguments given as a variable of the argument's own type."""
    root = SCHEMA.query_type if operation == "query" else SCHEMA.mutation_type
    field = root.fields[name]  # type: ignore[union-attr]
    args = list(field.args)
    definitions = ", ".join(f"${a}: {field.args[a].type}" for a in args)
    passed = ", ".join(f"{a}: ${a}" for a in args)
    composite = graphql.is_composite_type(graphql.get_named_type(field.type))
    selection = " { __typename }" if composite else ""
    head = f"{operation}({definitions})" if args else operation
    call = f"{name}({passed})" if args else name
    return f"{head} {{ {call}{selection} }}", args


@pytest.fixture(scope="module")
async def world(live_server: LiveServer) -> AsyncIterator[dict[str, Any]]:
    """A community its creator moderates, with a post and a comment (made once per module)."""
    async with httpx.AsyncClient(timeout=30) as http:
        creator = await sign_in(Client(live_server.graphql_url, http))
        community = await create_community(creator)
        post = await create_post(creator, community["name"])
        comment = await create_comment(creator, post["id"])
        assert creator.account is not None and creator.user_id is not None
        real = [
            community["name"],
            creator.account.address,
            post["id"],
            comment["id"],
            community["id"],
            creator.user_id,
            "0x" + "0" * 40,
        ]
        yield {"moderator": creator.account, "real": real}


@pytest.fixture
async def clients(
    world: dict[str, Any], live_server: LiveServer, http: httpx.AsyncClient
) -> dict[str, Client]:
    """Anonymous, and signed in as the moderator (a session of its own: signOut may end it)."""
    moderator = await sign_in(Client(live_server.graphql_url, http), world["moderator"])
    return {"anonymous": Client(live_server.graphql_url, http), "signed in": moderator}


async def send(client: Client, query: str, variables: dict[str, Any] | None = None) -> None:
    """Send as a client would, then check the answer holds no 5xx and no INTERNAL."""
    headers = {"content-type": "application/json"}
    if client.token:
        headers["authorization"] = f"Bearer {client.token}"
    # ensure_ascii: a lone surrogate travels as its \ud800 escape, as JSON allows
    body = json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=True)
    response = await client.http.post(client.url, content=body, headers=headers)
    client.http.cookies.clear()
    assert response.status_code < 500, (query, variables, response.text[:500])
    answer = response.json()
    for error in answer.get("errors") or ():
        code = error["extensions"]["code"]
        assert code != "INTERNAL", (query, variables, error)
        assert code in CODES, error
        assert len(error["message"]) <= 600, error["message"][:200]


def _literal_strategies(world: dict[str, Any]) -> dict[str, st.SearchStrategy[Any]]:
    strings = hostile_strings(world["real"])
    # Token amounts: decimal strings in and around uint256, and the hostile strings too.
    amounts = st.integers(min_value=-(2**257), max_value=2**257).map(str) | strings
    return {
        "String": string_nodes(strings),
        "ID": string_nodes(strings),
        "DateTime": dates(),
        "BigInt": string_nodes(amounts),
    }


CLIENTS = ["anonymous", "signed in"]
# An operation with one argument of the wrong type fails validation, before anyone's session is
# looked at: it is sent anonymously only.
# (A field without arguments, signOut, has nothing to get wrong.)


def cases(root: graphql.GraphQLObjectType) -> list[Any]:
    return [
        case
        for name, field in sorted(root.fields.items())
        for case in (
            pytest.param(name, Mode.POSITIVE, "anonymous", id=f"{name}-valid-anonymous"),
            pytest.param(name, Mode.POSITIVE, "signed in", id=f"{name}-valid-signed-in"),
            *(
                [pytest.param(name, Mode.NEGATIVE, "anonymous", id=f"{name}-one-wrong")]
                if field.args
                else []
            ),
        )
    ]


@pytest.mark.parametrize("name, mode, who", cases(SCHEMA.query_type))  # type: ignore[arg-type]
@GENERATED
@given(data=st.data())
async def test_generated_queries_never_reach_internal(
    world: dict[str, Any],
    clients: dict[str, Client],
    who: str,
    mode: Mode,
    name: str,
    data: st.DataObject,
) -> None:
    # given any query of this field, with arguments from the whole range of their types
    query = data.draw(
        queries(SCHEMA, fields=[name], custom_scalars=_literal_strategies(world), mode=mode)
    )
    # when / then
    await send(clients[who], query)


@pytest.mark.parametrize("name, mode, who", cases(SCHEMA.mutation_type))  # type: ignore[arg-type]
@GENERATED
@given(data=st.data())
async def test_generated_mutations_never_reach_internal(
    world: dict[str, Any],
    clients: dict[str, Client],
    who: str,
    mode: Mode,
    name: str,
    data: st.DataObject,
) -> None:
    mutation = data.draw(
        mutations(SCHEMA, fields=[name], custom_scalars=_literal_strategies(world), mode=mode)
    )
    await send(clients[who], mutation)


@pytest.mark.parametrize("who", CLIENTS)
@pytest.mark.parametrize(
    "operation, name",
    [("query", n) for n in QUERY_FIELDS] + [("mutation", n) for n in MUTATION_FIELDS],
)
@GENERATED
@given(data=st.data())
async def test_variables_of_any_json_never_reach_internal(
    world: dict[str, Any],
    clients: dict[str, Client],
    who: str,
    operation: str,
    name: str,
    data: st.DataObject,
) -> None:
    # given the field's arguments as variables, each holding any JSON (right type or not)
    document, args = variables_operation(operation, name)
    real = st.sampled_from(world["real"])
    variables = {a: data.draw(real | ANY_JSON, label=a) for a in args}
    # when / then
    await send(clients[who], document, variables)
