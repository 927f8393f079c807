"""Moderators remove content, ban people, handle reports and see who is banned; everyone can read
the moderation log."""

import re

import pytest
from playwright.async_api import expect

from tests.support.factories import create_comment, create_community, create_post

from .helpers import ADDRESSES, comment, short, unique

pytestmark = pytest.mark.browser

REPORT = "mutation($id: ID!, $r: String!) { report(targetId: $id, reason: $r) }"
BAN = "mutation($input: BanUserInput!) { banUser(input: $input) { reason } }"


async def test_a_moderator_bans_and_removes_and_the_log_shows_it(app):
    # given a community, and a member's spam post with a comment
    mod = await app.api(0)
    name = (await create_community(mod, unique("modded")))["name"]
    spammer = await app.api(1)
    post = await create_post(spammer, name, title="Cheap watches!!!", body="Click here")
    await create_comment(spammer, post["id"], "Really cheap")
    page = await app.signed_in(0, f"/c/{name}/p/{post['id']}")

    # when the moderator bans the author
    article = page.get_by_role("article").first
    await article.get_by_role("button", name="Ban author").click()
    await page.get_by_label("Reason (optional, shown in the public log)").fill("Spam")
    await page.get_by_role("button", name="Ban user").click()

    # then they are told it worked
    await expect(page.get_by_role("status").filter(has_text="is banned")).to_be_visible()

    # when they remove the post, and the comment
    await article.get_by_role("button", name="Remove").click()
    await page.get_by_label("Reason (optional, shown in the public log)").fill("Spam")
    await page.get_by_role("button", name="Remove post").click()
    await expect(page.get_by_text("This post was removed by the moderators.")).to_be_visible()
    spam_comment = comment(page, "Really cheap")
    await spam_comment.get_by_role("button", name="Remove").click()
    await page.get_by_role("button", name="Remove comment").click()
    await expect(page.get_by_text("[removed by the moderators]")).to_be_visible()

    # then the public log lists all three, with the reason
    await page.goto(f"/c/{name}/modlog")
    log = page.get_by_role("list").filter(has=page.locator("li.modlog-entry"))
    await expect(log.locator('[data-action="BAN_USER"]')).to_contain_text("banned")
    await expect(log.locator('[data-action="BAN_USER"]')).to_contain_text("Reason: Spam")
    await expect(log.locator('[data-action="REMOVE_POST"]')).to_contain_text("removed a post")
    await expect(log.locator('[data-action="REMOVE_COMMENT"]')).to_contain_text("removed a comment")
    # and the moderator's election on-chain, with the community
    election = log.locator('[data-action="ELECT_MODERATOR"]')
    await expect(election).to_contain_text("was elected moderator")
    await expect(election).not_to_contain_text(" by ")

    # and a visitor can read the log too
    visitor = await app.open(account=None, path=f"/c/{name}/modlog")
    await expect(visitor.locator('[data-action="REMOVE_POST"]')).to_contain_text("removed a post")

    # and the banned member is told, and can't post there
    banned = await app.signed_in(1, f"/c/{name}")
    await expect(banned.get_by_role("note")).to_contain_text(f"You're banned from c/{name}")
    await banned.goto(f"/submit?community={name}")
    await banned.get_by_label("Title").fill("Let me back in")
    await banned.get_by_role("button", name="Post", exact=True).click()
    await expect(banned.get_by_role("alert").first).to_be_visible()
    await expect(banned.get_by_label("Title")).to_have_value("Let me back in")

    # when the moderator unbans them with the moderator tools
    await page.goto(f"/c/{name}")
    await page.get_by_label("Member's account address").fill(ADDRESSES[1])
    await page.get_by_role("button", name="Unban").click()
    await expect(page.get_by_role("status").filter(has_text="no longer banned")).to_be_visible()

    # then the log says so, and the member can post again
    await page.goto(f"/c/{name}/modlog")
    await expect(page.locator('[data-action="UNBAN_USER"]')).to_contain_text(short(ADDRESSES[1]))
    await banned.get_by_role("button", name="Post", exact=True).click()
    await expect(banned).to_have_url(re.compile(rf"/c/{name}/p/"))


async def test_people_report_and_moderators_see_reports(app):
    # given someone else's post
    mod = await app.api(0)
    name = (await create_community(mod, unique("reports")))["name"]
    author = await app.api(1)
    post = await create_post(author, name, title="Questionable")
    reader = await app.signed_in(2, f"/c/{name}/p/{post['id']}")

    # when a reader reports it
    await reader.get_by_role("article").first.get_by_role("button", name="Report").click()
    await reader.get_by_label("Reason", exact=True).select_option("Misleading")
    await reader.get_by_label("Details (optional)").fill("The numbers are made up")
    await reader.get_by_role("button", name="Send report").click()

    # then they are thanked
    await expect(
        reader.get_by_role("status").filter(has_text="moderators will take a look")
    ).to_be_visible()

    # and the moderator finds it under Reports
    page = await app.signed_in(0, f"/c/{name}")
    await (
        page.get_by_role("navigation", name=f"c/{name} sections")
        .get_by_role("link", name="Reports")
        .click()
    )
    await expect(page.locator("li.report")).to_contain_text("Misleading: The numbers are made up")
    await expect(page.locator("li.report")).to_contain_text("Questionable")


async def test_a_moderator_resolves_a_report_and_can_reopen_it(app):
    # given a reported post
    mod = await app.api(0)
    name = (await create_community(mod, unique("resolve")))["name"]
    post = await create_post(await app.api(1), name, title="Dubious claims")
    reporter = await app.api(2)
    await reporter.data(REPORT, {"id": post["id"], "r": "Misleading"})
    page = await app.signed_in(0, f"/c/{name}/reports")
    report = page.locator("li.report").filter(has_text="Dubious claims")

    # when the moderator resolves it
    await report.get_by_role("button", name="Resolve").click()

    # then it leaves the open reports
    await expect(page.get_by_role("status").filter(has_text="Report resolved")).to_be_visible()
    await expect(report).to_have_count(0)
    await expect(page.get_by_text("No open reports. All quiet.")).to_be_visible()

    # and the list with the resolved ones says who resolved it
    tabs = page.get_by_role("navigation", name="Which reports")
    await tabs.get_by_role("link", name="All, with resolved").click()
    await expect(report).to_contain_text(f"Resolved by {short(ADDRESSES[0])}")

    # when they reopen it, it is back among the open ones
    await report.get_by_role("button", name="Reopen").click()
    await expect(report.get_by_role("button", name="Resolve")).to_be_visible()
    await tabs.get_by_role("link", name="Open").click()
    await expect(report).to_contain_text("Misleading")


async def test_a_moderator_sees_who_is_banned_and_unbans_them(app):
    # given a member banned from a community
    mod = await app.api(0)
    name = (await create_community(mod, unique("banned")))["name"]
    await mod.data(BAN, {"input": {"community": name, "address": ADDRESSES[1], "reason": "Spam"}})

    # when the moderator opens the Banned section
    page = await app.signed_in(0, f"/c/{name}")
    await (
        page.get_by_role("navigation", name=f"c/{name} sections")
        .get_by_role("link", name="Banned")
        .click()
    )

    # then the member is listed, with the reason
    ban = page.locator("li.ban").filter(has_text=short(ADDRESSES[1]))
    await expect(ban).to_contain_text("Reason: Spam")
    await expect(ban).to_contain_text("for good")

    # when they unban the member
    await ban.get_by_role("button", name="Unban").click()

    # then the list is empty, and the member can post again
    await expect(page.get_by_role("status").filter(has_text="no longer banned")).to_be_visible()
    await expect(page.locator("li.ban")).to_have_count(0)
    await expect(page.get_by_text(f"No one is banned from c/{name}.")).to_be_visible()
    await create_post(await app.api(1), name, title="Back again")
