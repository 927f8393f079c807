"""Voting: arrows respond at once, the vote is kept, and a refusal rolls back with a message."""

import json

import pytest
from playwright.async_api import Response, expect

from tests.support.factories import create_community, create_post

from .helpers import post_card, score_of, unique

pytestmark = pytest.mark.browser


def _vote_answer(response: Response) -> bool:
    """The answer to a vote: the page shows a vote at once, before the server has it."""
    body = response.request.post_data or ""
    return response.url.endswith("/graphql") and "vote" in body.lower() and "mutation" in body


async def test_a_vote_shows_at_once_and_is_kept(app):
    # given someone else's post in a feed
    author = await app.api(0)
    name = (await create_community(author, unique("votes")))["name"]
    await create_post(author, name, title="Vote on me")
    page = await app.signed_in(1, f"/c/{name}")
    card = post_card(page, "Vote on me")
    before = await score_of(card)

    # when they upvote (and the server has answered: a reload would cancel the request)
    up = card.get_by_role("button", name="Upvote")
    async with page.expect_response(_vote_answer):
        await up.click()

    # then the arrow is pressed and the score is one higher
    await expect(up).to_have_attribute("aria-pressed", "true")
    await expect(card.get_by_test_id("score")).to_have_text(str(before + 1))

    # and it is kept: the post's own page, after a reload, shows the same
    await card.get_by_role("link", name="Vote on me").click()
    await page.reload()
    article = page.get_by_role("article").first
    await expect(article.get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(article.get_by_test_id("score")).to_have_text(str(before + 1))
    card = article

    # when they change their mind and downvote
    await card.get_by_role("button", name="Downvote").click()

    # then the score drops by two, and only the down arrow is pressed
    await expect(card.get_by_test_id("score")).to_have_text(str(before - 1))
    await expect(card.get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "false"
    )

    # when they press it again, the vote is withdrawn
    async with page.expect_response(_vote_answer):
        await card.get_by_role("button", name="Downvote").click()
    await expect(card.get_by_test_id("score")).to_have_text(str(before))
    await page.reload()
    await expect(page.get_by_role("article").first.get_by_test_id("score")).to_have_text(
        str(before)
    )


async def test_a_refused_vote_rolls_back_with_a_message(app):
    # given a post, and a server that will refuse the next vote
    author = await app.api(0)
    name = (await create_community(author, unique("refuse")))["name"]
    await create_post(author, name, title="Not today")
    page = await app.signed_in(1, f"/c/{name}")
    card = post_card(page, "Not today")
    before = await score_of(card)

    async def refuse(route):
        body = route.request.post_data or ""
        if "mutation Vote" in body:
            error = {
                "message": "You're voting too fast. Try again in a minute.",
                "extensions": {"code": "RATE_LIMITED"},
            }
            await route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps({"data": None, "errors": [error]}),
            )
        else:
            await route.continue_()

    await page.route("**/graphql", refuse)

    # when they upvote
    await card.get_by_role("button", name="Upvote").click()

    # then the arrow goes back, and the reason is shown beside it
    await expect(card.get_by_role("alert")).to_have_text(
        "You're voting too fast. Try again in a minute."
    )
    await expect(card.get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "false"
    )
    await expect(card.get_by_test_id("score")).to_have_text(str(before))
