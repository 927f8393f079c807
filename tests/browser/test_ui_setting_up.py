"""A community being set up on-chain says one thing everywhere: the creator's toast and the
community's sidebar say the same, and no moderator tools show before the chain (through the
mirror) lists its moderator."""

import re

import pytest
from playwright.async_api import expect

from tests.support.server import LiveServer

from .helpers import DESKTOP, PHONE, unique

pytestmark = pytest.mark.browser


# No sender runs on this forum: a community created here stays being set up on the chain, so
# the page can be read in that state for as long as the test needs.
@pytest.fixture(scope="session")
def live_server(no_sender_server: LiveServer) -> LiveServer:
    return no_sender_server


async def test_a_community_being_set_up_says_the_same_in_the_toast_and_the_sidebar(app) -> None:
    for viewport in (DESKTOP, PHONE):
        # given a signed-in person who creates a community
        page = await app.signed_in(0, "/create-community", viewport=viewport)
        name = unique("setup")
        await page.get_by_label("Name").fill(name)
        await page.get_by_label("Title").fill("Being set up")
        await page.get_by_role("button", name="Create community").click()
        await expect(page).to_have_url(re.compile(rf"/c/{name}$"))

        # then the toast and the sidebar say one thing: it is being set up, and they become its
        # moderator once it is
        said = (
            f"c/{name} is being set up on the chain: you become its moderator, with the"
            " moderator tools, once that's done (usually a few seconds)."
        )
        await expect(page.locator(".toast")).to_have_text(said)
        sidebar = page.get_by_role("complementary", name=f"About c/{name}")
        await expect(sidebar.get_by_test_id("setting-up")).to_have_text(said)
        await expect(sidebar.get_by_test_id("chain-status")).to_have_text(
            "Being set up", use_inner_text=False
        )
        # and nothing offers what only a moderator may do, nor a say in a vote not there yet
        await expect(sidebar.get_by_role("heading", name="Moderator tools")).to_have_count(0)
        await expect(page.get_by_role("link", name="Reports", exact=True)).to_have_count(0)
        await expect(page.locator("section.standing")).to_have_count(0)
        # (a visitor reads the same, about its creator)
        visitor = await app.open(account=None, path=f"/c/{name}", viewport=viewport)
        await expect(visitor.get_by_test_id("setting-up")).to_have_text(
            said.replace("you become", "its creator becomes")
        )
        assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
