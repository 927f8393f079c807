"""A community's Governance tab: a member with points sees them and delegates them, proposes an
election, votes without gas (a signed ballot the forum relays) while another votes with a
transaction, follows the tally live, and carries the proposal out; the proposals filter by
state; and members' points show beside their names in the community. All real: anvil with the
contracts, the operator's sender, the indexer, and the test wallet signing and sending."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from governance.devchain import advance_time
from governance.operator import token_symbol
from tests.governance.driver import Governance
from tests.support.factories import create_community, create_post

from .helpers import (
    ACCOUNTS,
    ADDRESSES,
    PHONE,
    App,
    record_ws_frames,
    screenshot,
    short,
    unique,
    wait_for_live,
)

pytestmark = [pytest.mark.browser, pytest.mark.chain]


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


async def test_a_member_delegates_proposes_votes_without_gas_and_executes_an_election(
    chain_app: App, gov: Governance
) -> None:
    app = chain_app
    voter, candidate = ACCOUNTS[1], ACCOUNTS[2]
    # given a community, on-chain too, where the member holds 60 points and the candidate 30
    name = unique("gov")
    community = gov.create_community(name, creator=voter)
    gov.pay(community, {voter: 60, candidate: 30})
    symbol = community.token.functions.symbol().call()
    await create_community(await app.api(1), name)
    await app.api(2)

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
    # (every vote goes: the forum asks once more, in the page)
    await standing.get_by_role("button", name="Delegate all my votes").click()

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

    # when, a second later (the threshold counts the votes of a second ago), they propose to
    # elect the candidate
    advance_time(gov.w3, 1)
    await page.get_by_role("button", name="New proposal").click()
    form = page.get_by_role("form", name="New proposal")
    await form.get_by_label("Elect a moderator").check()
    await form.get_by_label("Candidate's address").fill(ADDRESSES[2])
    await form.get_by_label("Why").fill("She knows the **rules**.")
    await form.get_by_role("button", name="Propose").click()

    # then their wallet sent it, and the proposal's page shows it once indexed: pending
    title = f"Elect {short(ADDRESSES[2])} moderator"
    await expect(page.get_by_role("heading", level=1, name=title)).to_be_visible(timeout=20_000)
    assert len(app.wallets[1].sent) == 3
    card = page.locator("article.proposal-full")
    await expect(card.get_by_test_id("state")).to_have_text("Pending")
    await expect(card.locator(".prose strong")).to_have_text("rules")  # the sanitized markdown

    # when voting opens (the chain's clock passes the voting delay)
    frames = record_ws_frames(page)
    await page.reload()
    await wait_for_live(page, frames, subscriptions=1)
    gov.open_voting(community)

    # then the page learns it live and offers the vote
    await expect(card.get_by_test_id("state")).to_have_text("Voting", timeout=20_000)
    ballot = page.get_by_role("form", name="Your vote")
    await expect(ballot).to_be_visible()

    # when the member votes for, with a reason, without gas: their wallet only signs
    await ballot.get_by_label("For", exact=True).check()
    await ballot.get_by_label("Reason for your vote").fill("Knows the rules")
    await ballot.get_by_role("button", name="Vote without gas").click()

    # then the forum relays it: their vote and the tally show, and the quorum is reached
    await expect(page.get_by_test_id("your-vote")).to_contain_text(
        "You voted for with 60 votes", timeout=30_000
    )
    assert len(app.wallets[1].sent) == 3  # signed, not sent by the member
    await expect(card.get_by_test_id("tally-for")).to_contain_text(f"60 {symbol}")
    await expect(card.get_by_test_id("quorum")).to_contain_text("reached")
    votes = page.locator("li.proposal-vote")
    await expect(votes.filter(has_text="Knows the rules")).to_contain_text("voted for with 60")

    # when the candidate votes against from their own browser, with a transaction
    other = await app.signed_in(2, page.url)
    their_ballot = other.get_by_role("form", name="Your vote")
    await their_ballot.get_by_label("Against", exact=True).check()
    await their_ballot.get_by_role("button", name="Vote with a transaction").click()
    await expect(other.get_by_test_id("your-vote")).to_contain_text(
        "You voted against with 30 votes", timeout=20_000
    )
    assert len(app.wallets[2].sent) == 1

    # then the member's page shows the new tally without a reload
    await expect(card.get_by_test_id("tally-against")).to_contain_text(
        f"30 {symbol}", timeout=20_000
    )

    await screenshot(page, "governance-proposal")

    # and the list filters by state: among the active proposals, not among the defeated
    await page.get_by_role("link", name="← All proposals").click()
    states = page.get_by_role("navigation", name="Proposals by state")
    # (the list shown first: a tab clicked while the page is still being entered can be lost)
    await expect(states.get_by_role("link", name="All", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    await expect(proposal_item(page, title)).to_be_visible()
    await states.get_by_role("link", name="Defeated", exact=True).click()
    await expect(page).to_have_url(re.compile(r"[?]state=defeated$"))
    await expect(page.get_by_text("No proposal was rejected.")).to_be_visible()
    await page.get_by_role("link", name="Active", exact=True).click()
    item = proposal_item(page, title)
    await expect(item.get_by_test_id("timing")).to_contain_text("You voted for")
    await expect(item.get_by_test_id("tally-against")).to_contain_text(f"30 {symbol}")
    await screenshot(page, "governance-tab")

    # when the vote closes, and the candidate (whose browser did not propose it) carries the
    # election out: their wallet reads the proposal's calls from the transaction that proposed it
    frames = record_ws_frames(other)
    await other.reload()
    await wait_for_live(other, frames, subscriptions=1)
    gov.close_voting(community)
    their_card = other.locator("article.proposal-full")
    await expect(their_card.get_by_test_id("state")).to_have_text("Succeeded", timeout=20_000)
    await other.get_by_role("button", name="Execute").click()

    # then the chain made the candidate a moderator, and the proposal says it was carried out
    await expect(their_card.get_by_test_id("state")).to_have_text("Executed", timeout=20_000)
    assert candidate.address in gov.moderators(community)
    assert len(app.wallets[2].sent) == 2
    await page.get_by_role("link", name="Executed", exact=True).click()
    await expect(proposal_item(page, title)).to_be_visible()


async def test_a_new_proposal_reaches_a_reader_of_the_governance_tab_without_a_reload(
    chain_app: App, gov: Governance
) -> None:
    # given a visitor on a community's Governance tab, connected for live updates
    name = unique("gov")
    community = gov.create_community(name, creator=ACCOUNTS[1])
    gov.pay(community, {ACCOUNTS[1]: 10})
    await create_community(await chain_app.api(1), name)
    page = await chain_app.open(account=None, path="/")
    frames = record_ws_frames(page)
    await page.goto(f"/c/{name}/governance")
    await expect(page.get_by_text("No proposals yet.")).to_be_visible()
    await wait_for_live(page, frames, subscriptions=1)

    # when a member proposes an impeachment from their own wallet
    gov.propose(community, gov.impeachment(community, ACCOUNTS[1]), by=ACCOUNTS[1])

    # then it appears in the list, pending
    item = proposal_item(page, f"Impeach moderator {short(ADDRESSES[1])}")
    await expect(item.get_by_test_id("state")).to_have_text("Pending", timeout=20_000)


async def test_a_member_below_the_threshold_is_told_before_any_form(
    chain_app: App, gov: Governance
) -> None:
    # given a community on-chain where the member holds no points
    name = unique("gov")
    gov.create_community(name, creator=ACCOUNTS[1])
    await create_community(await chain_app.api(1), name)

    # when they open its Governance tab
    page = await chain_app.signed_in(1, f"/c/{name}/governance")

    # then no proposal form is offered: they are told what it takes, and how to get there
    symbol = token_symbol(name)
    await expect(page.get_by_test_id("cannot-propose")).to_contain_text(
        f"You need 1 {symbol} of voting power to propose; you have 0 {symbol}"
    )
    await expect(page.get_by_role("button", name="New proposal")).to_have_count(0)
    await expect(page.get_by_role("link", name="how points are earned").first).to_be_visible()
    assert not chain_app.wallets.get(1) or not chain_app.wallets[1].sent


async def test_a_members_points_show_beside_their_name_in_the_community(
    chain_app: App, gov: Governance
) -> None:
    app = chain_app
    # given a member with 12 points in a community, who posted there
    name = unique("pts")
    community = gov.create_community(name, creator=ACCOUNTS[1])
    gov.pay(community, {ACCOUNTS[1]: 12})
    author = await app.api(1)
    await create_community(author, name)
    post = await create_post(author, name, title="Points beside me")

    # when a visitor reads the community's feed (once the indexer has the points)
    page = await app.open(account=None, path=f"/c/{name}")
    card = page.locator("article.post-card").filter(has_text="Points beside me")
    await reload_until_visible(page, card.get_by_test_id("points"))

    # then the author's points show beside their name there and on the post, in the
    # community's word for them (its token's symbol)
    symbol = community.token.functions.symbol().call()
    await expect(card.get_by_test_id("points")).to_contain_text(f"12 {symbol}")
    await page.goto(f"/c/{name}/p/{post['id']}")
    byline = page.locator("article.post-full")
    await expect(byline.get_by_test_id("points")).to_contain_text(f"12 {symbol}")

    # and their profile, opened from there, shows their points and votes in that community
    await byline.get_by_role("link", name=short(ADDRESSES[1])).click()
    holding = page.get_by_test_id("holding").first
    await expect(holding).to_have_attribute("data-community", name)
    await expect(holding.get_by_test_id("community-points")).to_have_text(f"12 {symbol}")
    await expect(holding.get_by_test_id("community-voting-power")).to_have_text(f"12 {symbol}")
    # and on a phone, the same card fits the screen
    phone = await app.open(account=None, path=f"/u/{ADDRESSES[1]}", viewport=PHONE)
    await expect(phone.get_by_test_id("community-points")).to_have_text(f"12 {symbol}")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
