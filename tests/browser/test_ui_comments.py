"""Commenting, replying in nested threads that collapse, and editing and deleting one's own."""

import pytest
from playwright.async_api import expect

from tests.support.factories import create_community, create_post

from .helpers import comment, unique

pytestmark = pytest.mark.browser


async def test_comment_reply_collapse_edit_and_delete(app):
    # given a post by one person, read by another who is signed in
    author = await app.api(0)
    name = (await create_community(author, unique("talk")))["name"]
    post = await create_post(author, name, title="What are you reading?")
    page = await app.signed_in(1, f"/c/{name}/p/{post['id']}")

    # when they comment
    await page.get_by_role("textbox", name="Add a comment").fill("Middlemarch, slowly.")
    await page.get_by_role("button", name="Comment", exact=True).click()

    # then the comment appears and the box is empty again
    await expect(comment(page, "Middlemarch, slowly.")).to_be_visible()
    top_id = await comment(page, "Middlemarch, slowly.").get_attribute("data-comment-id")
    top = page.locator(f'li[data-comment-id="{top_id}"]')  # found by id: collapsing hides its text
    await expect(page.get_by_role("textbox", name="Add a comment")).to_have_value("")

    # when they reply to it
    await top.get_by_role("button", name="Reply").first.click()
    await page.get_by_role("textbox", name="Reply to").fill("Same here — chapter 20.")
    await page.get_by_role("button", name="Reply", exact=True).last.click()

    # then the reply is nested inside the first comment
    reply = top.locator("li.comment").filter(has_text="Same here — chapter 20.")
    await expect(reply).to_be_visible()
    await expect(reply).to_have_attribute("data-depth", "1")

    # when they collapse the first comment, then its reply is hidden, and says so
    await top.get_by_role("button", name="Collapse comment").first.click()
    await expect(reply).to_be_hidden()
    await expect(top).to_contain_text("1 reply hidden")
    # and expanding shows it again
    await top.get_by_role("button", name="Expand comment").first.click()
    await expect(reply).to_be_visible()

    # when they edit their reply
    await reply.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("textbox", name="Edit your comment")
    await editor.fill("Same here — chapter 21 now.")
    await page.get_by_role("button", name="Save", exact=True).click()

    # then the new text shows, marked as edited
    edited = comment(page, "chapter 21 now.")
    await expect(edited).to_contain_text("edited")

    # when they delete it, then it says deleted and the thread stays
    await edited.get_by_role("button", name="Delete").click()
    await edited.get_by_role("button", name="Yes, delete").click()
    await expect(top.locator("li.comment").first).to_contain_text("[deleted]")
    await expect(top).to_contain_text("Middlemarch, slowly.")


async def test_visitors_are_asked_to_sign_in_to_comment(app):
    # given a post and a visitor without a wallet
    author = await app.api(0)
    name = (await create_community(author, unique("quiet")))["name"]
    post = await create_post(author, name, title="Anyone here?")
    page = await app.open(account=None, path=f"/c/{name}/p/{post['id']}")

    # then there is no comment box, but an invitation to sign in
    await expect(page.get_by_text("Sign in to join the conversation.")).to_be_visible()
    await expect(page.get_by_role("textbox", name="Add a comment")).to_have_count(0)


async def test_a_comment_sent_again_after_its_answer_was_lost_appears_once(app, db):
    # given a reader on a post, whose connection will drop the answer to their first comment
    author = await app.api(0)
    name = (await create_community(author, unique("lossy")))["name"]
    post = await create_post(author, name, title="Anyone there?")
    page = await app.signed_in(1, f"/c/{name}/p/{post['id']}")
    lost: list[str] = []

    async def lose_first_answer(route):
        request = route.request
        if not lost and "CreateComment" in (request.post_data or ""):
            lost.append(request.headers.get("idempotency-key", ""))
            await route.fetch()  # the server writes the comment...
            await route.abort("connectionreset")  # ...and the answer never arrives
            return
        await route.continue_()

    await page.route("**/graphql", lose_first_answer)

    # when they comment, see it fail, and send it again
    await page.get_by_role("textbox", name="Add a comment").fill("Only once, please.")
    await page.get_by_role("button", name="Comment", exact=True).click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await page.get_by_role("button", name="Comment", exact=True).click()

    # then the comment shows once, and was written once
    await expect(comment(page, "Only once, please.")).to_have_count(1)
    await expect(page.get_by_role("textbox", name="Add a comment")).to_have_value("")
    assert lost and lost[0]
    assert await db.fetchval("SELECT count(*) FROM comments WHERE body = 'Only once, please.'") == 1
