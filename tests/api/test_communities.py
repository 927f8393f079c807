"""Communities: creating, joining, leaving, listing."""

from __future__ import annotations

from governance import community_id
from tests.support.factories import create_community, unique_name, until_moderator
from tests.support.graphql import Client

COMMUNITY = """
query Community($name: String!) {
  community(name: $name) {
    name title description descriptionHtml rules memberCount postCount
    creator { address } moderators { address }
    viewerIsMember viewerIsModerator viewerIsBanned
    chain { status communityId tokenAddress governorAddress }
  }
}
"""

JOIN = "mutation Join($name: String!) { joinCommunity(name: $name) { memberCount viewerIsMember } }"
LEAVE = (
    "mutation Leave($name: String!) { leaveCommunity(name: $name) { memberCount viewerIsMember } }"
)
COMMUNITIES = """
query Communities($sort: CommunitySort!, $first: Int!, $after: String) {
  communities(sort: $sort, first: $first, after: $after) {
    edges { cursor node { name } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_the_creator_is_the_first_member_and_moderates_once_the_chain_has_it(
    alice: Client,
) -> None:
    # given
    name = unique_name()
    # when
    created = await create_community(
        alice,
        name,
        confirmed=False,
        title="Gardening",
        description="All about *plants*",
        rules=["Be kind"],
    )
    # then alice is its first member at once, but not its moderator: the chain decides that
    assert created["memberCount"] == 1 and created["viewerIsModerator"] is False
    # and once the operator's sender has created it on-chain and the indexer mirrored it, she is
    assert await until_moderator(alice, name)
    community = (await alice.data(COMMUNITY, {"name": name}))["community"]
    assert community["title"] == "Gardening"
    assert community["descriptionHtml"] == "<p>All about <em>plants</em></p>\n"
    assert community["rules"] == ["Be kind"]
    assert community["memberCount"] == 1
    assert community["creator"]["address"] == alice.account.address
    assert community["moderators"] == [{"address": alice.account.address}]
    assert community["viewerIsMember"] and community["viewerIsModerator"]
    chain = community["chain"]
    assert chain["status"] == "CONFIRMED"
    assert chain["communityId"] == "0x" + community_id(name).hex()
    assert chain["tokenAddress"].startswith("0x") and chain["governorAddress"].startswith("0x")


async def test_names_are_unique(alice: Client, bob: Client) -> None:
    name = unique_name()
    await create_community(alice, name)
    error = await bob.error(
        'mutation($n: String!) { createCommunity(input: {name: $n, title: "Again"}) { name } }',
        {"n": name},
    )
    assert error["extensions"] == {"code": "CONFLICT", "field": "name"}
    assert name in error["message"]


async def test_bad_names_are_refused_with_the_rule(alice: Client) -> None:
    for bad in ["ab", "Has Spaces", "x" * 33, "semi;colon"]:
        error = await alice.error(
            'mutation($n: String!) { createCommunity(input: {name: $n, title: "T"}) { name } }',
            {"n": bad},
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}, bad
        assert "3 to 32 characters" in error["message"]


async def test_an_empty_title_is_refused(alice: Client) -> None:
    error = await alice.error(
        'mutation($n: String!) { createCommunity(input: {name: $n, title: "  "}) { name } }',
        {"n": unique_name()},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "title"}


async def test_anonymous_people_cannot_create(anonymous: Client) -> None:
    error = await anonymous.error(
        'mutation { createCommunity(input: {name: "anon_made", title: "T"}) { name } }'
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_joining_and_leaving_counts_members_once(alice: Client, bob: Client) -> None:
    community = await create_community(alice)
    name = community["name"]
    assert (await bob.data(JOIN, {"name": name}))["joinCommunity"] == {
        "memberCount": 2,
        "viewerIsMember": True,
    }
    # joining twice changes nothing
    assert (await bob.data(JOIN, {"name": name}))["joinCommunity"]["memberCount"] == 2
    assert (await bob.data(LEAVE, {"name": name}))["leaveCommunity"] == {
        "memberCount": 1,
        "viewerIsMember": False,
    }
    assert (await bob.data(LEAVE, {"name": name}))["leaveCommunity"]["memberCount"] == 1


async def test_joining_a_missing_community_is_not_found(bob: Client) -> None:
    error = await bob.error(JOIN, {"name": "no_such_place"})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_listing_by_name_pages_through_every_community(alice: Client) -> None:
    # given
    for _ in range(3):
        await create_community(alice)
    # when
    seen: list[str] = []
    after = None
    while True:
        page = (await alice.data(COMMUNITIES, {"sort": "NAME", "first": 2, "after": after}))[
            "communities"
        ]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) >= 3


async def test_a_cursor_from_another_list_is_refused(alice: Client) -> None:
    await create_community(alice)
    await create_community(alice)
    page = await alice.data(COMMUNITIES, {"sort": "NAME", "first": 1, "after": None})
    cursor = page["communities"]["pageInfo"]["endCursor"]
    error = await alice.error(COMMUNITIES, {"sort": "NEW", "first": 1, "after": cursor})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
