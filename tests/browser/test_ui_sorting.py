"""Sort tabs order the feed: new, top (today / this week / all time), hot, controversial, active."""

import re

import pytest
from playwright.async_api import expect

from tests.support.factories import create_community, create_post, vote

from .helpers import unique

pytestmark = pytest.mark.browser


async def titles(page) -> list[str]:
    return await page.locator("article.post-card h2").all_inner_texts()


def sort_tab(page, label: str, group: str = "Sort posts"):
    return page.get_by_role("navigation", name=group).get_by_role("link", name=label, exact=True)


async def test_sort_tabs_reorder_the_community_feed(app):
    # given three posts, the oldest of which two people upvoted
    author = await app.api(0)
    name = (await create_community(author, unique("sorts")))["name"]
    best = await create_post(author, name, title="Oldest but best")
    await create_post(author, name, title="In the middle")
    await create_post(author, name, title="Newest")
    for voter in (await app.api(1), await app.api(2)):
        await vote(voter, best["id"], "UP")
    page = await app.open(account=None, path=f"/c/{name}")
    await expect(page.locator("article.post-card")).to_have_count(3)

    # when they choose "New"
    await sort_tab(page, "New").click()

    # then the newest post comes first, and the tab says it is selected
    await expect(page).to_have_url(re.compile(r"\?sort=new$"))
    await expect(sort_tab(page, "New")).to_have_attribute("aria-current", "page")
    await expect(page.locator("article.post-card h2").first).to_have_text("Newest")
    assert await titles(page) == ["Newest", "In the middle", "Oldest but best"]

    # when they choose "Top", then "All time"
    await sort_tab(page, "Top").click()
    await expect(page.locator("article.post-card h2").first).to_have_text("Oldest but best")
    await sort_tab(page, "All time", group="Top posts from").click()

    # then the most upvoted post comes first
    await expect(page).to_have_url(re.compile(r"\?sort=top&t=all$"))
    await expect(page.locator("article.post-card h2").first).to_have_text("Oldest but best")

    # and every other sort still shows all three posts
    for label in ("Hot", "Controversial", "Active"):
        await sort_tab(page, label).click()
        await expect(sort_tab(page, label)).to_have_attribute("aria-current", "page")
        await expect(page.locator("article.post-card")).to_have_count(3)


async def test_load_more_fetches_the_next_page(app):
    # given more posts than fit on one page
    author = await app.api(0)
    name = (await create_community(author, unique("many")))["name"]
    for i in range(27):
        await create_post(author, name, title=f"Post number {i}")
    page = await app.open(account=None, path=f"/c/{name}?sort=new")
    await expect(page.locator("article.post-card")).to_have_count(25)

    # when they load more
    await page.get_by_role("button", name="Load more posts").click()

    # then the rest follow, with no duplicates, and there is nothing more to load
    await expect(page.locator("article.post-card")).to_have_count(27)
    shown = await titles(page)
    assert len(set(shown)) == 27
    await expect(page.get_by_role("button", name="Load more posts")).to_have_count(0)
