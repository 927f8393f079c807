"""A community's Rewards tab shows its epochs, what each gave and the mint, an epoch in review
with the time left, each closed epoch's CSV and merkle root; a member's profile shows their
rewards and what earned them; the "How rewards work" page explains the rules."""

import re
import time
from dataclasses import replace
from decimal import Decimal

import asyncpg
import pytest
from playwright.async_api import expect

from agora.settings import Settings
from governance.operator import token_symbol
from ledger import epochs, release
from tests.api.test_rewards import ECONOMY
from tests.support.factories import create_community_without_sender, create_post, vote
from tests.support.server import LiveServer

from .helpers import ADDRESSES, PHONE, screenshot, unique


# These tests play the operator's sender by hand (intents marked sent and mined): their forum is
# one no sender runs on, not the live server with its chain.
@pytest.fixture(scope="session")
def database_url(no_sender_database_url: str) -> str:
    return no_sender_database_url


@pytest.fixture(scope="session")
def live_server(no_sender_server: LiveServer) -> LiveServer:
    return no_sender_server


pytestmark = pytest.mark.browser


async def test_a_visitor_reads_a_communitys_reward_epochs_and_how_rewards_work(
    app, db: asyncpg.Connection, settings: Settings, live_server: LiveServer
) -> None:
    # given a community whose token is deployed, a post with two eligible upvotes, and the
    # epoch closed by the operator: its one author may take half of it (the author's cap), so
    # 500 of its 1000 points go to them and 500 stay in the pool
    author, first_voter, second_voter = [await app.api(i) for i in range(3)]
    await db.execute(
        "UPDATE users SET created_at = now() - interval '2 days' WHERE address = ANY($1)",
        [a.lower() for a in ADDRESSES],
    )
    name = (
        await create_community_without_sender(author, live_server.settings, unique("rewarded"))
    )["name"]
    community_id = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)
    post = await create_post(author, name, title="Worth a reward")
    for voter in (first_voter, second_voter):
        await vote(voter, post["id"], "UP")
    capped = replace(settings, **{**ECONOMY, "reward_max_author_share": Decimal("0.5")})
    at = await db.fetchval("SELECT clock_timestamp()")
    await epochs.close_due_epochs(db, capped, until=at, community_id=community_id)
    symbol = token_symbol(name)

    # when a visitor opens the community's Rewards tab
    page = await app.open(account=None, path=f"/c/{name}")
    await page.get_by_role("link", name="Rewards", exact=True).click()

    # then the closed epoch shows its emission, what it gave to whom, and its pending mint,
    # named by the epoch, every amount in the community's points (its token's symbol)
    closed = page.locator('li.reward-epoch[data-epoch="1"]')
    await expect(closed).to_contain_text("Closed: waiting to be minted")
    await expect(closed).to_contain_text(f"Emission 1,000 {symbol}")
    await expect(closed).to_contain_text(f"distributed 500 {symbol} to 1 author")
    payout = closed.locator("li.reward-payout")
    await expect(payout).to_contain_text(f"Epoch 1's mint: 500 {symbol}")
    await expect(payout).to_contain_text("pending")
    # and what stayed in the pool, and why
    await expect(closed.get_by_test_id("pool-note")).to_have_text(
        f"500 {symbol} stayed in the pool, held back by the caps on what one item or one author"
        " may take. It is never given to anyone else."
    )
    # and a chart of the epochs: the closed one half given, the open one hollow
    chart = page.get_by_test_id("epoch-chart")
    await expect(chart.locator('g[data-epoch="1"] rect.bar-given')).to_have_count(1)
    await expect(chart.locator('g[data-epoch="2"] rect.bar-open')).to_have_count(1)
    await expect(chart.get_by_role("img")).to_have_attribute(
        "aria-label", re.compile(f"epoch 1: 500 of 1,000 {symbol} distributed to 1")
    )
    # and its distribution, with the root of its merkle tree
    await expect(closed.get_by_role("link", name="Distribution (CSV)")).to_have_attribute(
        "href", f"/rewards/{name}/1.csv"
    )
    await expect(closed.locator("code.merkle-root")).to_have_text(re.compile("^0x[0-9a-f]{64}$"))
    # and the next epoch is open; the moderators' farming signals are not shown to a visitor
    await expect(page.locator('li.reward-epoch[data-epoch="2"]')).to_contain_text("Open")
    await expect(page.locator(".reward-signals")).to_have_count(0)

    await screenshot(page, "rewards-desktop")

    # when the community's moderator (its creator) opens the same tab
    moderator = await app.signed_in(0, f"/c/{name}/rewards")
    signals = moderator.locator('li.reward-epoch[data-epoch="1"] .reward-signals')
    await signals.locator("summary").click()
    # then the paid post shows where its votes came from: all from voters with little standing
    # (nobody held points yet: the community's bootstrap), none from co-voters
    line = signals.locator("tbody tr")
    await expect(line).to_contain_text("Worth a reward")
    await expect(line.locator(".reward-signal-low")).to_have_text("100%")
    await expect(line.locator(".reward-signal-co")).to_have_text("0%")

    # when they follow the link to the rules
    await page.get_by_role("link", name="How rewards work").click()

    # then the page explains them
    await expect(page.get_by_role("heading", name="How rewards work", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="Score")).to_be_visible()

    # when they open the author's profile, on its Rewards tab
    await page.goto(f"/u/{ADDRESSES[0]}")
    await page.get_by_role("link", name="Rewards", exact=True).click()

    # then the reward of that epoch is there, pending, with the post that earned it
    reward = page.locator("li.user-reward").filter(has_text=f"c/{name}")
    await expect(reward).to_contain_text(f"500 {symbol} in c/{name}, epoch 1")
    await expect(reward).to_contain_text("pending")
    await expect(reward.locator("li.reward-item")).to_contain_text(
        f"500 {symbol} for the post Worth a reward, from 2 eligible votes (score 2)"
    )

    # and on a phone the tab, its chart and its note fit the screen
    phone = await app.open(account=None, path=f"/c/{name}/rewards", viewport=PHONE)
    await expect(phone.get_by_test_id("epoch-chart")).to_be_visible()
    await expect(phone.get_by_test_id("pool-note")).to_be_visible()
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(phone, "rewards-phone")


async def test_an_epoch_in_review_shows_the_time_left_then_its_distribution_and_root(
    app, db: asyncpg.Connection, settings: Settings, live_server: LiveServer
) -> None:
    # given a community's epoch closed into a review window of an hour (1000 points to its
    # one author)
    author, voter = [await app.api(i) for i in range(2)]
    await db.execute(
        "UPDATE users SET created_at = now() - interval '2 days' WHERE address = ANY($1)",
        [a.lower() for a in ADDRESSES],
    )
    name = (
        await create_community_without_sender(author, live_server.settings, unique("reviewed"))
    )["name"]
    community_id = await db.fetchval("SELECT id FROM communities WHERE name = $1", name)
    post = await create_post(author, name, title="Under review")
    await vote(voter, post["id"], "UP")
    economy = replace(settings, **{**ECONOMY, "reward_review_seconds": 3600})
    at = await db.fetchval("SELECT clock_timestamp()")
    await epochs.close_due_epochs(db, economy, until=at, community_id=community_id)

    # when a visitor opens the community's Rewards tab
    page = await app.open(account=None, path=f"/c/{name}/rewards")

    # then the epoch is in review, with the time left, its lines' CSV, and no root yet
    reviewed = page.locator('li.reward-epoch[data-epoch="1"]')
    await expect(reviewed).to_contain_text("In review")
    await expect(reviewed.locator(".review-ends")).to_contain_text(
        re.compile(r"review ends in (1 hour|\d+ minutes)")
    )
    link = reviewed.get_by_role("link", name="Distribution (CSV)")
    await expect(link).to_have_attribute("href", f"/rewards/{name}/1.csv")
    await expect(reviewed).to_contain_text("merkle root is published when the review ends")

    # when the review ends (the operator's lever) and the visitor looks again
    now = await db.fetchval("SELECT clock_timestamp()")
    [released] = await release.release_reviewed_epochs(
        db, economy, until=now, community_id=community_id
    )
    assert released.root is not None

    # then (once the API's 2-second listing cache has let go) the epoch waits for its mint, its
    # root published beside its CSV
    closed = page.locator('li.reward-epoch[data-epoch="1"]')
    deadline = time.monotonic() + 30
    while True:
        await page.reload()
        try:
            await expect(closed).to_contain_text("Closed: waiting to be minted", timeout=2000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    await expect(closed.locator("code.merkle-root")).to_have_text("0x" + released.root.hex())
    csv = await page.request.get(f"{live_server.url}/rewards/{name}/1.csv")
    assert await csv.text() == f"address,amount\n{ADDRESSES[0]},{1000 * 10**18}\n"
