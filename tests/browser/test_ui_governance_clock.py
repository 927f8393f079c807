"""Governance a member can follow, in Chromium at 1280 and 390 px: with the chain's clock days
ahead of the wall clock (as the demo moves it), an open election's banner, timeline and
countdown agree with the chain; each member sees what their vote weighs (a member who delegated
away after the snapshot still weighs what they had then); a fresh wallet is told why it cannot
vote, propose or delegate instead of being offered forms; nothing is cut off."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.async_api import Page, expect

from governance.devchain import advance_time
from tests.governance.driver import Governance
from tests.support.factories import create_community

from .helpers import ACCOUNTS, ADDRESSES, DESKTOP, PHONE, App, short, unique

pytestmark = [pytest.mark.browser, pytest.mark.chain]

DAY = 24 * 3600


def time_left(gov: Governance, deadline: int, later: int = 0) -> re.Pattern[str]:
    """The countdown to `deadline` from the chain's time now (plus `later` seconds), give or
    take two minutes (the mirror may be a block behind, or a block the forum's sender mines may
    move the clock on)."""
    now = gov.w3.eth.get_block("latest")["timestamp"] + later
    shown = {countdown(deadline - t) for t in range(now - 120, now + 121)}
    return re.compile("|".join(re.escape(text) for text in sorted(shown)))


def countdown(seconds: int) -> str:
    """The page's countdown of `seconds` (ChainClock.countdown)."""
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


async def nothing_cut_off(page: Page) -> None:
    """No sideways scrolling, and every tab of the community's rows inside the window."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    for tab in await page.locator("nav.tabs .tab").all():
        box = await tab.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            await tab.inner_text()
        )


async def test_times_follow_the_chain_and_each_member_sees_their_weight(
    chain_app: App, gov: Governance
) -> None:
    app = chain_app
    fresh, member, delegator = 0, 1, 2
    # given an on-chain community where one member holds 60 points and another 30
    name = unique("clock")
    community = gov.create_community(name, creator=ACCOUNTS[member])
    gov.pay(community, {ACCOUNTS[member]: 60, ACCOUNTS[delegator]: 30})
    symbol = community.token.functions.symbol().call()
    await create_community(await app.api(member), name)
    for account in (fresh, delegator):
        await app.api(account)
    # and the chain's clock five days ahead of the wall clock
    advance_time(gov.w3, 5 * DAY)
    # and an open election, after whose snapshot the 30-point member delegated everything away
    election = gov.election(community, ACCOUNTS[fresh])
    proposal_id = gov.propose(community, election, by=ACCOUNTS[member])
    gov.open_voting(community)
    advance_time(gov.w3, 600)
    gov.send(ACCOUNTS[delegator], community.token.functions.delegate(ADDRESSES[member]))
    deadline = community.governor.functions.proposalDeadline(proposal_id).call()

    for viewport in (DESKTOP, PHONE):
        # when the member opens the community
        page = await app.signed_in(member, f"/c/{name}", viewport=viewport)
        # then a banner says the election is open, with the time left on the chain's clock
        banner = page.get_by_test_id("active-vote-banner")
        for _ in range(20):  # until the indexer has the election
            if await banner.count():
                break
            await page.wait_for_timeout(1000)
            await page.reload()
        left = time_left(gov, deadline).pattern
        await expect(banner).to_have_text(
            re.compile(f"Election of {re.escape(short(ADDRESSES[fresh]))}: ({left}) left — vote")
        )
        await nothing_cut_off(page)
        # when they follow it
        await banner.click()
        # then the timeline agrees with the chain: voting opened in the past, closes in `left`
        timeline = page.get_by_test_id("timeline")
        opened = timeline.locator("li[data-kind=VOTING_OPENS]")
        await expect(opened).to_contain_text("Voting opened")
        await expect(opened).to_contain_text("ago")
        closes = timeline.locator("li[data-kind=VOTING_CLOSES]")
        await expect(closes).to_contain_text("Voting closes")
        await expect(closes.locator("time")).to_have_attribute(
            "datetime", datetime.fromtimestamp(deadline, UTC).isoformat()
        )
        await expect(page.get_by_test_id("countdown")).to_have_text(
            re.compile(f"Voting closes in ({time_left(gov, deadline).pattern})")
        )
        # and the countdown runs on between reads of the indexer, on the chain's clock: with no
        # new block, ten minutes of this page's stopwatch later it shows ten minutes less
        await page.clock.install()
        await page.reload()
        await expect(page.get_by_test_id("countdown")).to_have_text(
            re.compile(f"Voting closes in ({time_left(gov, deadline).pattern})")
        )
        await page.clock.fast_forward("10:00")
        await expect(page.get_by_test_id("countdown")).to_have_text(
            re.compile(f"Voting closes in ({time_left(gov, deadline, later=600).pattern})")
        )
        # and what their vote weighs: their 60 and the 30 delegated to them after the snapshot
        # do not add up, the snapshot's 60 counts
        await expect(page.get_by_test_id("viewer-weight")).to_contain_text(f"60 {symbol}")
        await expect(page.get_by_role("form", name="Your vote")).to_be_visible()
        await nothing_cut_off(page)
        # and the Delegates tab lists them first, with all the community's votes now
        await page.get_by_role("link", name="Delegates", exact=True).click()
        first = page.get_by_test_id("delegate").first
        await expect(first.get_by_test_id("delegate-power")).to_have_text(f"90 {symbol}")
        # with a picture of how the votes are spread: all of them theirs, past the quorum
        spread = page.get_by_test_id("power-spread")
        await expect(spread.get_by_test_id("top-share")).to_have_text(
            f"The largest delegate holds 100% of all {symbol}"
        )
        await expect(spread.get_by_test_id("quorum-share")).to_have_text(
            "A vote needs 5% for its quorum (the largest delegate reaches it alone)"
        )
        await expect(spread.get_by_test_id("threshold-share")).to_contain_text("proposing needs")
        # and the community's sidebar says, in one place, their points, votes and delegate
        standing = page.locator("section.standing")
        await expect(standing.get_by_test_id("my-points")).to_have_text(f"60 {symbol}")
        await expect(standing.get_by_test_id("my-voting-power")).to_have_text(f"90 {symbol}")
        await expect(standing.get_by_test_id("my-delegate")).to_contain_text("to yourself")
        await nothing_cut_off(page)
        # and so does their profile, for every community where they hold points
        await page.goto(f"/u/{ADDRESSES[member]}")
        holding = page.locator(f'[data-testid=holding][data-community="{name}"]')
        await expect(holding.get_by_test_id("community-points")).to_have_text(f"60 {symbol}")
        await expect(holding.get_by_test_id("community-voting-power")).to_have_text(f"90 {symbol}")
        await expect(holding.get_by_test_id("community-delegate")).to_contain_text("themselves")
        await nothing_cut_off(page)

    # and the member's front page shows the open vote of their community too
    page = await app.signed_in(member, "/", viewport=PHONE)
    await expect(
        page.get_by_test_id("active-vote-banner").filter(has_text=f"c/{name} · Election of")
    ).to_be_visible()
    await nothing_cut_off(page)

    # when the member who delegated away opens the election on a phone
    page = await app.signed_in(delegator, f"/c/{name}", viewport=PHONE)
    await page.get_by_test_id("active-vote-banner").click()
    # then their vote still weighs the 30 they had when voting opened
    await expect(page.get_by_test_id("viewer-weight")).to_contain_text(f"30 {symbol}")
    await expect(page.get_by_role("form", name="Your vote")).to_be_visible()
    await nothing_cut_off(page)

    # when a fresh wallet with no points opens it
    page = await app.signed_in(fresh, f"/c/{name}", viewport=PHONE)
    await page.get_by_test_id("active-vote-banner").click()
    # then it is told, in a sentence, why it cannot vote, and offered no ballot
    await expect(page.get_by_test_id("viewer-weight")).to_contain_text("You can't vote on this one")
    await expect(page.get_by_role("form", name="Your vote")).to_have_count(0)
    await nothing_cut_off(page)
    # and the Governance tab offers neither a proposal nor a delegation it could not make
    await page.get_by_role("link", name="Governance", exact=True).click()
    await expect(page.get_by_test_id("cannot-propose")).to_contain_text("You need")
    await expect(page.get_by_role("button", name="New proposal")).to_have_count(0)
    await expect(page.get_by_test_id("no-points")).to_be_visible()
    await expect(page.get_by_role("button", name="Delegate to myself")).to_have_count(0)
    await nothing_cut_off(page)

    # and an anonymous reader sees the same times, and no weight
    page = await app.open(None, f"/c/{name}", viewport=PHONE)
    await page.get_by_test_id("active-vote-banner").click()
    await expect(page.get_by_test_id("countdown")).to_have_text(
        re.compile(f"Voting closes in ({time_left(gov, deadline).pattern})")
    )
    await expect(page.get_by_test_id("viewer-weight")).to_have_count(0)


async def test_a_member_delegates_from_the_delegates_tab_after_confirming(
    chain_app: App, gov: Governance
) -> None:
    app = chain_app
    leader, follower = 1, 2
    # given a community where one member holds 60 points and another 30, each their own delegate
    name = unique("dlg")
    community = gov.create_community(name, creator=ACCOUNTS[leader])
    gov.pay(community, {ACCOUNTS[leader]: 60, ACCOUNTS[follower]: 30})
    symbol = community.token.functions.symbol().call()
    await create_community(await app.api(leader), name)
    await app.api(follower)

    # when the first writes a delegate statement
    page = await app.signed_in(leader, f"/c/{name}/delegates")
    await page.get_by_text("Your delegate statement").click()
    await page.get_by_label("What you stand for").fill("I read **every** proposal.")
    await page.get_by_role("button", name="Save statement").click()
    # then it shows, rendered, beside their votes
    mine = page.get_by_test_id("delegate").filter(has_text=short(ADDRESSES[leader]))
    await expect(mine.locator("strong", has_text="every")).to_be_visible()
    await expect(mine.get_by_test_id("delegate-power")).to_have_text(f"60 {symbol}")

    # when the other, on a phone, chooses to delegate to them
    phone = await app.signed_in(follower, f"/c/{name}/delegates", viewport=PHONE)
    leader_item = phone.get_by_test_id("delegate").filter(has_text=short(ADDRESSES[leader]))
    await leader_item.get_by_role("button", name=f"Delegate to {short(ADDRESSES[leader])}").click()
    # then nothing is sent before they confirm what it means
    confirm = leader_item.get_by_role("alertdialog", name="Delegate all your votes?")
    await expect(confirm).to_contain_text(f"All your 30 {symbol} will vote as")
    assert not app.wallets.get(follower) or not app.wallets[follower].sent
    await nothing_cut_off(phone)
    # when they confirm, their wallet sends it, and once the chain has it the leader holds 90
    await confirm.get_by_role("button", name="Delegate all my votes").click()
    await expect(
        phone.get_by_test_id("delegate").first.get_by_test_id("delegate-power")
    ).to_have_text(f"90 {symbol}", timeout=30_000)
    assert len(app.wallets[follower].sent) == 1
