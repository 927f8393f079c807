"""Forms keep what was typed: a refused submit, a reload, and the errors shown where they belong."""

import re

import pytest
from playwright.async_api import expect

from tests.support.factories import create_community

from .helpers import unique

pytestmark = pytest.mark.browser


async def test_a_refused_post_keeps_what_was_typed_until_it_goes_through(app):
    # given a signed-in person writing a post for a community that doesn't exist
    page = await app.signed_in(0, "/submit")
    await page.get_by_label("Community").fill(unique("nowhere"))
    await page.get_by_label("Title").fill("My carefully written post")
    await page.get_by_label("Text", exact=True).fill("Three paragraphs of **thought**.")

    # when they press Post and the server refuses
    await page.get_by_role("button", name="Post", exact=True).click()

    # then the reason is shown, and nothing they typed is lost
    await expect(page.get_by_role("alert").first).to_be_visible()
    assert (await page.get_by_role("alert").first.inner_text()).strip()
    await expect(page).to_have_url(re.compile(r"/submit$"))
    await expect(page.get_by_label("Title")).to_have_value("My carefully written post")
    await expect(page.get_by_label("Text", exact=True)).to_have_value(
        "Three paragraphs of **thought**."
    )

    # and even a reload keeps the draft
    await page.reload()
    await expect(page.get_by_label("Title")).to_have_value("My carefully written post")
    await expect(page.get_by_label("Text", exact=True)).to_have_value(
        "Three paragraphs of **thought**."
    )

    # when they pick a real community and post again
    owner = await app.api(0)
    name = (await create_community(owner, unique("real")))["name"]
    await page.get_by_label("Community").fill(name)
    await page.get_by_role("button", name="Post", exact=True).click()

    # then it is published, and the draft is gone
    await expect(page).to_have_url(re.compile(rf"/c/{name}/p/"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("My carefully written post")
    await page.goto("/submit")
    await expect(page.get_by_label("Title")).to_have_value("")


async def test_a_missing_title_is_pointed_out_at_the_title(app):
    # given a signed-in person who forgot the title
    page = await app.signed_in(0, "/submit?community=anything")
    await page.get_by_label("Text", exact=True).fill("Body without a title")

    # when they press Post
    await page.get_by_role("button", name="Post", exact=True).click()

    # then the title field says what's wrong, has focus, and the body is kept
    title = page.get_by_label("Title")
    await expect(title).to_have_attribute("aria-invalid", "true")
    await expect(title).to_be_focused()
    await expect(page.get_by_text("Give your post a title.")).to_be_visible()
    await expect(page.get_by_label("Text", exact=True)).to_have_value("Body without a title")


async def test_a_taken_community_name_is_shown_at_the_name(app):
    # given a community that exists
    owner = await app.api(0)
    name = (await create_community(owner, unique("taken")))["name"]
    page = await app.signed_in(1, "/create-community")

    # when someone tries to create it again
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Title").fill("Mine now")
    await page.get_by_role("button", name="Create community").click()

    # then they see why, and their input is still there
    await expect(page.get_by_role("alert").first).to_be_visible()
    await expect(page.get_by_label("Title")).to_have_value("Mine now")
    await expect(page).to_have_url(re.compile(r"/create-community$"))


async def test_a_community_name_may_be_as_long_as_the_api_allows(app):
    # given someone on the create-community form
    page = await app.signed_in(1, "/create-community")
    longest = unique("n").ljust(32, "x")[:32]  # the API's limit: 32 characters
    # when they type a name of 32 characters, and then one more
    await page.get_by_label("Name").fill(longest + "y")
    # then the field keeps 32, and the community is created under that name
    await expect(page.get_by_label("Name")).to_have_value(longest)
    await page.get_by_label("Title").fill("A long name")
    await page.get_by_role("button", name="Create community").click()
    await expect(page).to_have_url(re.compile(rf"/c/{longest}$"))
