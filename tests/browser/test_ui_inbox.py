"""The inbox: the header's bell counts unread notifications live, and the inbox lists them with
links and marks them read."""

import pytest
from playwright.async_api import expect

from tests.support.factories import create_comment, create_community, create_post

from .helpers import (
    ADDRESSES,
    DESKTOP,
    PHONE,
    record_ws_frames,
    screenshot,
    sign_in,
    unique,
    wait_for_live,
)

pytestmark = pytest.mark.browser

MARK_ALL_READ = "mutation { markNotificationsRead(ids: null) }"


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_reply_rings_the_bell_live_and_the_inbox_marks_it_read(app, size):
    # given a member's post, and their inbox read to the end
    owner = await app.api(0)
    member = await app.api(1)
    await member.data(MARK_ALL_READ)
    name = (await create_community(owner, unique("inbox")))["name"]
    post = await create_post(member, name, title="Ask me anything")
    # and the member signed in, on the front page, with nothing unread
    page = await app.open(account=1, viewport=DESKTOP if size == "desktop" else PHONE)
    frames = record_ws_frames(page)
    await sign_in(page, 1)
    bell = page.get_by_test_id("inbox-bell")
    await expect(bell).to_be_visible()
    await expect(bell).to_have_attribute("aria-label", "Inbox, nothing unread")
    await wait_for_live(page, frames)

    # when someone replies to the post
    await create_comment(owner, post["id"], "What is your favourite tomato?")

    # then the bell counts it without a reload
    await expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", "Inbox, 1 unread")

    # and the inbox lists it, unread, linked to the post
    await bell.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = page.get_by_test_id("inbox-item").first
    await expect(item).to_contain_text("replied to you")
    await expect(item).to_have_class("inbox-item unread")
    await screenshot(page, f"inbox-{size}")
    # when they mark all read
    await page.get_by_role("button", name="Mark all read").click()
    # then nothing is unread, and the bell says so
    await expect(item).to_have_class("inbox-item")
    await expect(page.get_by_test_id("inbox-count")).to_be_hidden()
    await expect(page.get_by_role("button", name="Mark all read")).to_be_disabled()
    # and the reply's link opens the post
    await item.get_by_role("link", name="What is your favourite tomato?").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ask me anything")


UPDATE_PROFILE = (
    "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }"
)
INBOX = "{ notifications(first: 5) { edges { node { kind comment { body } } } } }"


async def test_the_editor_offers_the_threads_people_by_name_and_the_mention_links_them(app):
    # given a thread where someone named Tomato Queen commented
    owner = await app.api(0)
    await owner.data(UPDATE_PROFILE, {"input": {"displayName": "Tomato Queen"}})
    # (the dev account is the session's: its name goes back to none, or other tests would see it)
    try:
        name = (await create_community(owner, unique("mention")))["name"]
        post = await create_post(await app.api(2), name, title="Seeds to swap")
        await create_comment(owner, post["id"], "I have San Marzano")
        page = await app.signed_in(1, f"/c/{name}/p/{post['id']}")
        # when a reader types "@Toma" in a comment
        editor = page.get_by_placeholder("What are your thoughts?").first
        await editor.click()
        await editor.press_sequentially("Want some, @Toma")
        # then the editor offers her by name, and picking her writes her full address
        await (
            page.get_by_role("listbox", name="People to mention")
            .get_by_role("button", name="Tomato Queen")
            .click()
        )
        address = ADDRESSES[0]
        await expect(editor).to_have_value(f"Want some, @{address} ")
        await page.get_by_role("button", name="Comment", exact=True).click()
        # and the comment links the mention to her profile
        link = page.locator("li.comment").get_by_role("link", name=f"@{address}")
        await expect(link).to_have_attribute("href", f"/u/{address.lower()}")
        # and she is told
        told = (await owner.data(INBOX))["notifications"]["edges"]
        assert told[0]["node"] == {"kind": "MENTION", "comment": {"body": f"Want some, @{address}"}}
    finally:
        await owner.data(UPDATE_PROFILE, {"input": {"displayName": ""}})
