"""Tipping from the forum: a member tips a post without gas (their wallet only signs), the tip
shows beside the post's score and on the author's profile, and the author cannot tip themselves.
All real: anvil with the contracts, the operator's sender, the indexer, the test wallet."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from governance.operator import token_symbol
from tests.governance.driver import Governance
from tests.support.factories import create_community, create_post

from .helpers import ACCOUNTS, ADDRESSES, DESKTOP, PHONE, App, screenshot, unique
from .test_ui_governance import reload_until_visible

pytestmark = [pytest.mark.browser, pytest.mark.chain]


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_member_tips_a_post_without_gas_and_the_author_sees_it(
    chain_app: App, gov: Governance, size: str
) -> None:
    app = chain_app
    viewport = DESKTOP if size == "desktop" else PHONE
    author, tipper = ACCOUNTS[1], ACCOUNTS[2]
    # given a community on-chain, the author's post, and the tipper holding 10 points
    name = unique("tips")
    community = gov.create_community(name, creator=author)
    await create_community(await app.api(1), name)
    post = await create_post(await app.api(1), name, title="Worth a tip")
    gov.pay(community, {tipper: 10})
    post_path = f"/c/{name}/p/{post['id']}"

    # when the author opens the Tip dialog on their own post
    own = await app.signed_in(1, post_path, viewport=viewport)
    await own.get_by_role("button", name="Tip", exact=True).click()

    # then they are told why not
    await expect(own.get_by_text("You can't tip your own post or comment.")).to_be_visible()

    # when the tipper tips 5 points without gas
    page = await app.signed_in(2, post_path, viewport=viewport)
    await page.get_by_role("button", name="Tip", exact=True).click()
    form = page.get_by_role("form", name="Tip the post “Worth a tip”")
    await expect(form.get_by_test_id("tip-balance")).to_have_text(
        f"You have 10 {token_symbol(name)} in c/{name}.", timeout=20_000
    )
    await form.get_by_role("button", name="5", exact=True).click()
    await form.get_by_role("button", name="Tip (no gas)").click()

    # then, once mirrored, the post shows it beside its score, and the balances moved
    await reload_until_visible(page, page.get_by_test_id("tip-total"), seconds=30)
    await expect(page.get_by_test_id("tip-total")).to_contain_text(f"5 {token_symbol(name)} tipped")
    assert community.token.functions.balanceOf(ADDRESSES[1]).call() == 5 * 10**18
    assert app.wallets[2].sent == []  # gasless: the tipper sent nothing
    await screenshot(page, f"tip-{size}")

    # and the author's profile lists it
    await own.goto(f"/u/{ADDRESSES[1]}")
    await expect(own.get_by_test_id("tips-received")).to_contain_text(
        f"5 {token_symbol(name)} in c/{name}"
    )
