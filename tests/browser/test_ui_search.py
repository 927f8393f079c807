"""Search from the header, the results page, similar posts while writing a title, the
Subscribed/All switch of the front page and a comment's permalink; at 1280 and 390 px."""

import re
import secrets

import pytest
from playwright.async_api import expect

from tests.support.factories import create_comment, create_community, create_post

from .helpers import DESKTOP, PHONE, screenshot, unique

pytestmark = pytest.mark.browser

SIZES = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
JOIN = "mutation($c: String!) { joinCommunity(name: $c) { viewerIsMember } }"


def word() -> str:
    return "zq" + "".join(secrets.choice("bcdfghjklmnprstvwxz") for _ in range(8))


async def fits_the_screen(page, viewport) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]


@SIZES
async def test_search_finds_posts_and_comments_and_opens_them(app, viewport):
    # given a post and a comment that mention a word
    author = await app.api(0)
    name = (await create_community(author, unique("search")))["name"]
    w = word()
    post = await create_post(author, name, title=f"All about {w}", body="Long story")
    await create_comment(author, post["id"], f"I have a question about {w} too")
    page = await app.open(account=None, path="/", viewport=viewport)

    # when they search for it from the header (a phone: the header's search link)
    if viewport is DESKTOP:
        box = page.get_by_role("banner").get_by_role("searchbox", name="Search Agora")
        await box.fill(w)
        await box.press("Enter")
    else:
        await page.get_by_role("banner").get_by_role("link", name="Search").click()
        await page.get_by_role("searchbox", name="Search for").fill(w)
        await page.get_by_role("button", name="Search", exact=True).click()

    # then the results page lists the post
    await expect(page).to_have_url(re.compile(rf"/search\?q={w}"))
    results = page.get_by_role("region", name="Search results")
    await expect(results.get_by_role("heading", name=f"All about {w}")).to_be_visible()
    await fits_the_screen(page, viewport)
    await screenshot(page, f"search-results-{viewport['width']}")

    # and under "Comments", the comment, which opens in its thread
    await (
        page.get_by_role("navigation", name="Search for")
        .get_by_role("link", name="Comments")
        .click()
    )
    found = results.get_by_role("article", name=re.compile("Comment by"))
    await expect(found).to_contain_text(f"I have a question about {w} too")
    await found.get_by_role("link", name=f"All about {w}").click()
    await expect(page.get_by_role("link", name="Show full thread")).to_be_visible()
    await fits_the_screen(page, viewport)


async def test_nothing_found_says_so(app):
    page = await app.open(account=None, path=f"/search?q={word()}")
    await expect(page.get_by_text("Nothing found for")).to_be_visible()


@SIZES
async def test_the_submit_form_shows_similar_posts_as_the_title_is_typed(app, viewport):
    # given a post about a word in a community
    author = await app.api(0)
    name = (await create_community(author, unique("similar")))["name"]
    w = word()
    await create_post(author, name, title=f"How to bake {w} bread")
    page = await app.signed_in(1, path=f"/submit?community={name}", viewport=viewport)

    # when someone starts a post there with a title like it
    await page.get_by_label("Title").fill(f"{w} starter tips")

    # then the form shows the earlier post
    similar = page.get_by_role("complementary", name="Similar posts")
    await expect(similar).to_contain_text(f"How to bake {w} bread")
    await fits_the_screen(page, viewport)
    await screenshot(page, f"similar-posts-{viewport['width']}")


@SIZES
async def test_a_member_front_page_is_their_communities_with_a_switch_to_all(app, viewport):
    # given two communities, and account 1 joined only the first
    author = await app.api(0)
    joined = (await create_community(author, unique("mine")))["name"]
    other = (await create_community(author, unique("theirs")))["name"]
    await (await app.api(1)).data(JOIN, {"c": joined})
    await create_post(author, joined, title=f"In {joined}")
    await create_post(author, other, title=f"In {other}")
    page = await app.signed_in(1, viewport=viewport)

    # then the front page is the Subscribed feed
    feed = page.get_by_role("navigation", name="Feed")
    await expect(feed.get_by_role("link", name="Subscribed")).to_have_attribute(
        "aria-current", "page"
    )
    posts = page.locator("article.post-card h2")
    await expect(posts.filter(has_text=f"In {joined}")).to_be_visible()
    await expect(posts.filter(has_text=f"In {other}")).to_have_count(0)
    await fits_the_screen(page, viewport)
    await screenshot(page, f"subscribed-feed-{viewport['width']}")

    # when they switch to All, the other community's post is there too
    await feed.get_by_role("link", name="All").click()
    await expect(page).to_have_url(re.compile(r"\?feed=all"))
    await expect(posts.filter(has_text=f"In {other}")).to_be_visible()


async def test_a_comment_permalink_shows_its_parents_and_leads_to_the_thread(app):
    # given a reply to a comment
    author = await app.api(0)
    name = (await create_community(author, unique("perma")))["name"]
    post = await create_post(author, name, title="A discussion")
    parent = await create_comment(author, post["id"], "The first word")
    await create_comment(author, post["id"], "A reply to it", parent_id=parent["id"])
    page = await app.open(account=None, path=f"/c/{name}/p/{post['id']}")

    # when a reader follows the reply's link
    reply = page.locator("li.comment").filter(has_text="A reply to it").last
    await reply.get_by_role("link", name=re.compile("Link to the comment")).click()

    # then the page shows the reply under its parent, and leads back to the whole thread
    await expect(page).to_have_url(re.compile(r"/comment/"))
    thread = page.get_by_role("list", name="Comment and the comments it answers")
    await expect(thread.locator("li")).to_have_count(2)
    await expect(thread.locator("li").first).to_contain_text("The first word")
    await expect(thread.locator("li[aria-current]")).to_contain_text("A reply to it")
    await screenshot(page, "comment-permalink-1280")
    await page.get_by_role("link", name="Show full thread").click()
    await expect(page).to_have_url(re.compile(rf"/c/{name}/p/[^/]+$"))
