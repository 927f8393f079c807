"""Saving a post and finding it under Saved, reading a post's edit history, and blocking a person
(and unblocking them), on a desktop and on a phone."""

import pytest
from playwright.async_api import Page, expect

from tests.support.factories import create_comment, create_community, create_post

from .helpers import ADDRESSES, DESKTOP, PHONE, account_menu, post_card, screenshot, short, unique

pytestmark = pytest.mark.browser

EDIT_POST = "mutation($i: EditPostInput!) { editPost(input: $i) { editedAt } }"
EDIT_COMMENT = "mutation($i: EditCommentInput!) { editComment(input: $i) { editedAt } }"


async def fits_the_width(page: Page, width: int) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_save_a_post_find_it_under_saved_and_read_its_history(app, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    # given a post its author edited once, with a comment edited once
    author = await app.api(0)
    name = (await create_community(author, unique("keep")))["name"]
    post = await create_post(author, name, title="Sourdough notes", body="Feed at 9.")
    await author.data(EDIT_POST, {"i": {"id": post["id"], "body": "Feed at 8, not 9."}})
    other = await app.api(2)
    remark = await create_comment(other, post["id"], "Thanks for the tip")
    await other.data(EDIT_COMMENT, {"i": {"id": remark["id"], "body": "Thanks, it works"}})
    page = await app.signed_in(1, f"/c/{name}/p/{post['id']}", viewport=viewport)
    article = page.locator("article.post-full")

    # when the reader saves the post
    save = article.get_by_role("button", name="Save this post")
    await expect(save).to_have_attribute("aria-pressed", "false")
    await save.click()
    # then it shows as saved
    await expect(save).to_have_attribute("aria-pressed", "true")
    await expect(save).to_have_text("Saved")

    # when they open the post's history, one click from "edited"
    await article.get_by_role("button", name="edited").click()
    dialog = page.get_by_role("dialog", name="Edit history")
    # then the version the edit replaced is there
    await expect(dialog).to_contain_text("Feed at 9.")
    await screenshot(page, f"edit-history-{size}")
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_have_count(0)

    # and the comment's history too
    thread_comment = page.locator(f'li.comment[data-comment-id="{remark["id"]}"]')
    await thread_comment.get_by_role("button", name="edited").click()
    await expect(page.get_by_role("dialog", name="Edit history")).to_contain_text(
        "Thanks for the tip"
    )
    await page.get_by_role("dialog").get_by_role("button", name="Close").click()

    # when they go to Saved from their menu
    await account_menu(page).click()
    await page.get_by_role("link", name="Saved").click()
    # then the post is there, marked saved, and the page fits the screen
    await expect(page.get_by_role("heading", name="Saved", level=1)).to_be_visible()
    card = post_card(page, "Sourdough notes")
    await expect(card).to_be_visible()
    await expect(card.get_by_role("button", name="Save this post")).to_have_attribute(
        "aria-pressed", "true"
    )
    await fits_the_width(page, viewport["width"])
    await screenshot(page, f"saved-{size}")

    # when they unsave it there, then it leaves the list, for good
    await card.get_by_role("button", name="Save this post").click()
    await expect(page.get_by_text("Nothing saved yet.")).to_be_visible()
    await page.reload()
    await expect(page.get_by_text("Nothing saved yet.")).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_block_a_person_and_unblock_them(app, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    # given a community with a post by alice (account 0) and one by carol (account 2)
    alice = await app.api(0)
    carol = await app.api(2)
    name = (await create_community(carol, unique("calm")))["name"]
    await create_post(alice, name, title="Loud opinion")
    question = await create_post(carol, name, title="Quiet question")
    shout = await create_comment(alice, question["id"], "SHOUTING")
    await create_comment(carol, question["id"], "Please don't", shout["id"])
    page = await app.signed_in(1, f"/c/{name}", viewport=viewport)
    loud = post_card(page, "Loud opinion")
    await expect(loud).to_be_visible()

    # when the reader blocks alice from her post, and confirms
    await loud.get_by_role("button", name=f"Block {short(ADDRESSES[0])}").click()
    await loud.get_by_role("button", name="Block", exact=True).click()
    # then her post is gone from the page, carol's stays
    await expect(post_card(page, "Loud opinion")).to_have_count(0)
    await expect(post_card(page, "Quiet question")).to_be_visible()
    await fits_the_width(page, viewport["width"])
    # and after a reload too
    await page.reload()
    await expect(post_card(page, "Quiet question")).to_be_visible()
    await expect(post_card(page, "Loud opinion")).to_have_count(0)
    # and in carol's thread alice's comment is a placeholder that keeps carol's reply under it
    await page.goto(f"/c/{name}/p/{question['id']}")
    held = page.locator(f'li.comment[data-comment-id="{shout["id"]}"]')
    await expect(held).to_contain_text("[blocked]")
    await expect(held).to_contain_text("Please don't")
    await expect(page.get_by_text("SHOUTING")).to_have_count(0)

    # when they open Blocked from their menu, then alice is listed
    await account_menu(page).click()
    await page.get_by_role("link", name="Blocked").click()
    people = page.get_by_role("region", name="People")
    await expect(people).to_contain_text(short(ADDRESSES[0]))
    await fits_the_width(page, viewport["width"])
    await screenshot(page, f"blocked-{size}")

    # when they unblock her, then her post is back on the community's page
    await people.get_by_role("button", name=f"Unblock {short(ADDRESSES[0])}").click()
    await expect(people).to_contain_text("You block nobody.")
    await page.goto(f"/c/{name}")
    await expect(post_card(page, "Loud opinion")).to_be_visible()
