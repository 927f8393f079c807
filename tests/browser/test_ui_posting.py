"""Creating a community, joining it, and posting text and links with a markdown preview."""

import asyncio
import re

import pytest
from playwright.async_api import expect

from tests.support.factories import create_community, until_moderator

from .helpers import ADDRESSES, account_menu, post_card, short, unique

pytestmark = pytest.mark.browser


async def test_create_a_community_then_a_text_post_with_a_preview(app):
    # given a signed-in person on "Create a community"
    page = await app.signed_in(0, "/create-community")
    name = unique("garden")

    # when they fill in the form and create it
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Title").fill("Gardeners of Agora")
    await page.get_by_label("Description").fill("Soil, seeds and **patience**.")
    await page.get_by_role("textbox", name="Rule 1").fill("Be kind")
    await page.get_by_role("button", name="Add a rule").click()
    await page.get_by_role("textbox", name="Rule 2").fill("No spam")
    await page.get_by_role("button", name="Create community").click()

    # then they land on the new community, with its rules
    await expect(page).to_have_url(re.compile(rf"/c/{name}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Gardeners of Agora")
    sidebar = page.get_by_role("complementary", name=f"About c/{name}")
    await expect(sidebar.get_by_role("list").filter(has_text="Be kind")).to_contain_text("No spam")
    await expect(sidebar.locator("strong", has_text="patience")).to_be_visible()
    # and, once the chain has the community (sender and indexer), themselves as its moderator
    # (a page opened then: shared answers are cached for up to LISTING_CACHE_SECONDS)
    await until_moderator(await app.api(0), name)
    for _ in range(20):
        await page.reload()
        await expect(sidebar.get_by_text("Moderators")).to_be_visible()
        if await sidebar.get_by_text(short(ADDRESSES[0])).count():
            break
        await asyncio.sleep(0.25)
    await expect(sidebar).to_contain_text(short(ADDRESSES[0]))

    # when they write a post and preview it
    await page.get_by_role("main").get_by_role("link", name="Create post").first.click()
    await expect(page).to_have_url(re.compile(rf"/submit\?community={name}$"))
    await expect(page.get_by_label("Community")).to_have_value(name)
    await page.get_by_label("Title").fill("First sprouts")
    await page.get_by_label("Text", exact=True).fill("The tomatoes are **up**.")
    await page.get_by_role("button", name="Preview").click()

    # then the preview is the server's rendering
    await expect(page.get_by_role("region", name="Text preview").locator("strong")).to_have_text(
        "up"
    )

    # when they post it
    await page.get_by_role("button", name="Post", exact=True).click()

    # then the post page shows it, and the community lists it
    await expect(page).to_have_url(re.compile(rf"/c/{name}/p/[^/]+$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("First sprouts")
    await expect(page.get_by_role("article").locator(".prose strong")).to_have_text("up")
    await page.get_by_role("article").get_by_role("link", name=f"c/{name}").click()
    await expect(post_card(page, "First sprouts")).to_be_visible()


async def test_a_link_post_shows_its_site(app):
    # given a community
    owner = await app.api(0)
    name = (await create_community(owner, unique("links")))["name"]
    page = await app.signed_in(0, f"/submit?community={name}")

    # when someone shares a link
    await page.get_by_role("radio", name="Link post").check()
    await page.get_by_label("Title").fill("A good read")
    await page.get_by_label("Link", exact=True).fill("https://example.org/article")
    await page.get_by_role("button", name="Post", exact=True).click()

    # then the post links out, and the feed names the site
    link = page.get_by_role("link", name="https://example.org/article")
    await expect(link).to_have_attribute("href", "https://example.org/article")
    await page.goto(f"/c/{name}")
    await expect(post_card(page, "A good read")).to_contain_text("example.org")


async def test_join_and_leave_a_community(app):
    # given a community someone else made
    owner = await app.api(0)
    name = (await create_community(owner, unique("joinme")))["name"]
    page = await app.signed_in(1, f"/c/{name}")

    # when a person joins it
    await page.get_by_role("button", name=f"Join c/{name}").first.click()

    # then the button says so, and it's listed in their menu
    await expect(page.get_by_role("button", name=f"Leave c/{name}").first).to_have_text("Joined")
    await account_menu(page).click()
    await expect(
        page.locator("#user-menu-panel").get_by_role("link", name=f"c/{name}")
    ).to_be_visible()
    await page.keyboard.press("Escape")

    # when they leave, then they can join again
    await page.get_by_role("button", name=f"Leave c/{name}").first.click()
    await expect(page.get_by_role("button", name=f"Join c/{name}").first).to_have_text("Join")
