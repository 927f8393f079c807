"""Live updates: new posts and comments appear for other readers without a reload."""

import pytest
from playwright.async_api import expect

from tests.support.factories import create_comment, create_community, create_post

from .helpers import post_card, record_ws_frames, unique, wait_for_live

pytestmark = pytest.mark.browser


async def test_a_new_post_reaches_another_reader_without_a_reload(app):
    # given a reader on a community page, connected for live updates
    owner = await app.api(0)
    name = (await create_community(owner, unique("live")))["name"]
    await create_post(owner, name, title="Already here")
    reader = await app.open(account=None, path="/")
    frames = record_ws_frames(reader)
    await reader.goto(f"/c/{name}")
    await expect(post_card(reader, "Already here")).to_be_visible()
    await wait_for_live(reader, frames)

    # when someone else posts there from their own browser
    writer = await app.signed_in(1, f"/submit?community={name}")
    await writer.get_by_label("Title").fill("Breaking: tomatoes ripe")
    await writer.get_by_role("button", name="Post", exact=True).click()
    await expect(writer.get_by_role("heading", level=1)).to_have_text("Breaking: tomatoes ripe")

    # then the reader is told, and sees it on asking
    banner = reader.get_by_role("button", name="1 new post — show")
    await expect(banner).to_be_visible()
    await banner.click()
    await expect(post_card(reader, "Breaking: tomatoes ripe")).to_be_visible()
    await expect(banner).to_be_hidden()


async def test_a_new_comment_reaches_another_reader_without_a_reload(app):
    # given a reader on a post page, connected for live updates
    owner = await app.api(0)
    name = (await create_community(owner, unique("livec")))["name"]
    post = await create_post(owner, name, title="Talk to me")
    reader = await app.open(account=None, path="/")
    frames = record_ws_frames(reader)
    await reader.goto(f"/c/{name}/p/{post['id']}")
    await expect(reader.get_by_text("No comments yet.")).to_be_visible()
    await wait_for_live(reader, frames)

    # when someone comments
    commenter = await app.api(1)
    await create_comment(commenter, post["id"], "Hello from elsewhere")

    # then it appears
    await expect(
        reader.locator("li.comment").filter(has_text="Hello from elsewhere")
    ).to_be_visible()
