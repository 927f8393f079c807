"""A community's Governance tab: a member with points sees them, delegates them, proposes,
votes, and reads the tallies; the proposals filter by state. A real anvil with the contracts,
the indexer run in this process as the chain moves, and the test wallet signing and sending
real transactions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from playwright.async_api import Locator, Page, expect

from governance.deploy import Deployment
from tests.api.test_governance import (
    chain_rpc_url,
    deployment,
    deployment_file,
    gov,
    mirror,
    operator_key,
    w3,
)
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up
from tests.support.factories import create_community, create_post

from .helpers import ACCOUNTS, ADDRESSES, App, short, unique

pytestmark = [pytest.mark.browser, pytest.mark.chain]

__all__ = ["chain_rpc_url", "deployment", "deployment_file", "gov", "mirror", "operator_key", "w3"]


@pytest.fixture
async def indexer(
    mirror: asyncpg.Connection, database_url: str, chain_rpc_url: str, deployment: Deployment
) -> AsyncIterator[None]:
    """The indexer, following the chain in this process for the whole test (as `agora index`
    does beside the forum)."""

    async def follow() -> None:
        while True:
            await catch_up(database_url, chain_rpc_url, deployment)
            await asyncio.sleep(0.2)

    task = asyncio.create_task(follow())
    yield
    if task.done():
        task.result()  # the indexer failed: say why
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
def chain_app(app: App, chain_rpc_url: str) -> App:
    """The browser app whose wallets send to the test chain."""
    app.chain_rpc_url = chain_rpc_url
    return app


async def reload_until_visible(page: Page, locator: Locator, seconds: int = 20) -> None:
    """What a reader does until the indexer has what the chain did: reload the page."""
    for _ in range(seconds):
        if await locator.count():
            break
        await page.wait_for_timeout(1000)
        await page.reload()
    await expect(locator).to_be_visible()


def proposal_item(page: Page, title: str) -> Locator:
    return page.locator("li.proposal").filter(has=page.get_by_role("heading", name=title))


async def test_a_member_delegates_votes_and_sees_the_tally_and_filters_proposals(
    chain_app: App, gov: Governance, indexer: None
) -> None:
    app = chain_app
    voter, candidate = ACCOUNTS[1], ACCOUNTS[2]
    # given a community, on-chain too, where the member holds 60 points and the candidate 30
    owner = await app.api(1)
    await app.api(2)
    name = unique("gov")
    await create_community(owner, name)
    community = gov.create_community(name, creator=voter)
    gov.pay(community, {voter: 60, candidate: 30})
    symbol = community.token.functions.symbol().call()

    # when the member opens the community's Governance tab
    page = await app.signed_in(1, f"/c/{name}")
    await page.get_by_role("link", name="Governance", exact=True).click()

    # then they see their points, counted as their own votes (holders delegate to themselves)
    standing = page.locator("section.standing")
    await expect(standing.get_by_test_id("my-points")).to_have_text(f"60 {symbol}")
    await expect(standing.get_by_test_id("my-voting-power")).to_have_text(f"60 {symbol}")
    await expect(standing.get_by_test_id("my-delegate")).to_contain_text("to yourself")
    await expect(page.get_by_text("No proposals yet.")).to_be_visible()

    # when they delegate their votes to the candidate (a transaction from their wallet)
    await standing.get_by_label("Or delegate to another member's address").fill(ADDRESSES[2])
    await standing.get_by_role("button", name="Delegate", exact=True).click()

    # then, once the chain has it, their votes are the candidate's
    await expect(standing.get_by_test_id("my-delegate")).to_contain_text(
        f"You delegate your votes to {short(ADDRESSES[2])}", timeout=20_000
    )
    await expect(standing.get_by_test_id("my-voting-power")).to_have_text(f"0 {symbol}")

    # when they take them back
    await standing.get_by_role("button", name="Delegate to myself").click()

    # then they are theirs again
    await expect(standing.get_by_test_id("my-delegate")).to_contain_text(
        "to yourself", timeout=20_000
    )
    await expect(standing.get_by_test_id("my-voting-power")).to_have_text(f"60 {symbol}")
    assert len(app.wallets[1].sent) == 2

    # given a proposal to elect the candidate, open for votes
    election = gov.election(community, candidate)
    gov.propose(community, election, by=voter)
    gov.open_voting(community)

    # then it shows among the active proposals, with no votes yet
    await page.get_by_role("link", name="Active", exact=True).click()
    title = f"Elect {short(ADDRESSES[2])} moderator"
    item = proposal_item(page, title)
    await reload_until_visible(page, item)
    await expect(item.get_by_test_id("state")).to_have_text("Voting")
    await expect(item.get_by_test_id("tally-for")).to_contain_text("0 ")
    await expect(item.get_by_test_id("quorum")).to_contain_text("Quorum: 0 of 4.5")

    # when they open it and vote for, with a reason, by a wallet transaction
    await item.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    ballot = page.get_by_role("form", name="Your vote")
    await ballot.get_by_label("For", exact=True).check()
    await ballot.get_by_label("Reason for your vote").fill("Knows the rules")
    await ballot.get_by_role("button", name="Vote with a transaction").click()

    # then the page shows their vote, the tally and the quorum reached, and the vote in the list
    await expect(page.get_by_test_id("your-vote")).to_contain_text(
        "You voted for with 60 votes", timeout=20_000
    )
    await expect(page.get_by_test_id("tally-for")).to_contain_text("60 ")
    await expect(page.get_by_test_id("quorum")).to_contain_text("reached")
    vote = page.locator("li.proposal-vote")
    await expect(vote).to_contain_text("voted for with 60")
    await expect(vote).to_contain_text("“Knows the rules”")

    # and the list filters by state: not among the defeated, among the active ones
    await page.get_by_role("link", name="← All proposals").click()
    await page.get_by_role("link", name="Defeated", exact=True).click()
    await expect(page.get_by_text("No proposal was rejected.")).to_be_visible()
    await expect(proposal_item(page, title)).to_have_count(0)
    await page.get_by_role("link", name="Active", exact=True).click()
    await expect(proposal_item(page, title).get_by_test_id("timing")).to_contain_text(
        "You voted for"
    )


async def test_a_members_points_show_beside_their_name_in_the_community(
    chain_app: App, gov: Governance, indexer: None
) -> None:
    app = chain_app
    # given a member with 12 points in a community, who posted there
    author = await app.api(1)
    name = unique("pts")
    await create_community(author, name)
    community = gov.create_community(name, creator=ACCOUNTS[1])
    gov.pay(community, {ACCOUNTS[1]: 12})
    post = await create_post(author, name, title="Points beside me")

    # when a visitor reads the community's feed and the post (once the indexer has the points)
    page = await app.open(account=None, path=f"/c/{name}")

    card = page.locator("article.post-card").filter(has_text="Points beside me")
    await reload_until_visible(page, card.get_by_test_id("points"))
    await expect(card.get_by_test_id("points")).to_contain_text("12 points")

    # then the author's points show beside their name there and on the post
    await page.goto(f"/c/{name}/p/{post['id']}")
    await expect(page.locator("article.post-full").get_by_test_id("points")).to_contain_text(
        "12 points"
    )
