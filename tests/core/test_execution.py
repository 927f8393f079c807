"""The executor's short path for plain fields answers exactly what graphql-core answers."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.core.selection import READ_AT_ONCE
from api.server.execution import AgoraExecutor


@strawberry.enum
class Mood(Enum):
    GLAD = "glad"
    SAD = "sad"


@strawberry.type
class Inner:
    label: str

    @strawberry.field
    async def loud(self) -> str:
        return self.label.upper()


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    nickname: str | None
    mood: Mood
    count: int
    inner: Inner
    spare: Inner | None

    @strawberry.field
    async def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def times(self, n: int) -> int:
        return n


def _items() -> list[Item]:
    def item(number: int, **fields: object) -> Item:
        values: dict = {
            "id": strawberry.ID(str(number)),
            "name": f"item {number}",
            "nickname": None,
            "mood": Mood.GLAD,
            "count": number,
            "inner": Inner(label=f"inner {number}"),
            "spare": None,
        }
        return Item(**(values | fields))

    return [
        item(1),
        item(2, nickname="deux", mood=Mood.SAD, spare=Inner(label="spare")),
        # a null where the schema promises a value: a resolver bug graphql-core must report
        item(3, name=None),
        # a value the Int scalar refuses
        item(4, count=2**40),
        # a bad value inside a plain object field, which makes that object null, then the item
        item(5, inner=Inner(label=None)),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return _items()


QUERY = """
{
  items {
    shout
    id
    alias: name
    nickname
    mood
    __typename
    times(n: 3)
    count
    inner { label loud }
    spare { label }
  }
}
"""


async def test_short_paths_give_graphql_cores_data_and_errors() -> None:
    plain = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query, execution_context_class=AgoraExecutor)

    expected = await plain.execute(QUERY)
    got = await fast.execute(QUERY)

    assert got.data == expected.data
    # keys in the order the query asked for them
    assert [list(item or {}) for item in got.data["items"]] == [
        list(item or {}) for item in expected.data["items"]
    ]
    assert got.data["items"][1] == {
        "shout": "ITEM 2",
        "id": "2",
        "alias": "item 2",
        "nickname": "deux",
        "mood": "SAD",
        "__typename": "Item",
        "times": 3,
        "count": 2,
        "inner": {"label": "inner 2", "loud": "INNER 2"},
        "spare": {"label": "spare"},
    }
    assert got.data["items"][0]["spare"] is None
    # items 3 to 5 are null, each with graphql-core's error at its path
    assert got.data["items"][2:] == [None, None, None]
    assert [(e.message, e.path) for e in got.errors] == [
        (e.message, e.path) for e in expected.errors
    ]
    assert [e.path for e in got.errors] == [
        ["items", 2, "alias"],
        ["items", 3, "count"],
        ["items", 4, "inner", "label"],
    ]


async def test_plain_fields_skip_graphql_cores_field_path() -> None:
    slow: list[str] = []

    class Recording(AgoraExecutor):
        def build_resolve_info(self, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
            slow.append(f"{parent_type.name}.{field_nodes[0].name.value}")
            return super().build_resolve_info(field_def, field_nodes, parent_type, path)

    schema = strawberry.Schema(query=Query, execution_context_class=Recording)
    await schema.execute(QUERY)

    # resolvers, arguments, __typename, nulls and bad values; never a good plain field
    assert sorted(set(slow)) == [
        "Inner.label",
        "Inner.loud",
        "Item.__typename",
        "Item.count",
        "Item.name",
        "Item.shout",
        "Item.spare",
        "Item.times",
        "Query.items",
    ]
    assert slow.count("Item.count") == 1
    assert slow.count("Inner.label") == 1


def _primed_badge(card: Card, context: object) -> str | None:
    # what the page loaded up front: the even cards' badges only
    return f"badge {card.number}" if card.number % 2 == 0 else None


@strawberry.type
class Card:
    number: int

    @strawberry.field(metadata={READ_AT_ONCE: _primed_badge})
    async def badge(self) -> str:
        return f"badge {self.number}"


@strawberry.type
class CardQuery:
    @strawberry.field
    def cards(self) -> list[Card]:
        return [Card(number=n) for n in range(1, 5)]


async def test_a_field_read_at_once_skips_its_resolver_when_its_data_is_loaded() -> None:
    slow: list[int] = []

    class Recording(AgoraExecutor):
        def build_resolve_info(self, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
            if field_nodes[0].name.value == "badge":
                slow.append(path.prev.key)
            return super().build_resolve_info(field_def, field_nodes, parent_type, path)

    query = "{ cards { number badge } }"
    expected = await strawberry.Schema(query=CardQuery).execute(query)
    got = await strawberry.Schema(query=CardQuery, execution_context_class=Recording).execute(query)

    assert got.errors is None
    assert got.data == expected.data
    assert got.data["cards"][1] == {"number": 2, "badge": "badge 2"}
    # the odd cards' badges were not loaded: their resolver answered them, as without the reader
    assert slow == [0, 2]
