"""Your data (issue 17): names instead of addresses, the export as a download, and deleting the
account, at desktop and phone widths."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import expect

from tests.support.factories import create_community, create_post

from .helpers import (
    ADDRESSES,
    DESKTOP,
    PHONE,
    account_menu,
    post_card,
    screenshot,
    short,
    unique,
)

pytestmark = pytest.mark.browser

UPDATE = "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }"
SIZES = {"desktop": DESKTOP, "phone": PHONE}
# A person of their own per test and size (helpers.ACCOUNTS): their name and deletion show
# nowhere else.
NAMED = {"desktop": 3, "phone": 4}
DELETED = {"desktop": 5, "phone": 6}


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_names_show_instead_of_addresses_and_the_menu_downloads_the_data(app, size):
    # given a person who named themselves and posted
    account = NAMED[size]
    name = unique("quinn")
    person = await app.api(account)
    await person.data(UPDATE, {"i": {"displayName": name}})
    community = await create_community(person, unique("data"))
    title = unique("My export")
    await create_post(person, community["name"], title=title, body="Mine to keep.")

    # when they open the community, signed in
    page = await app.open(account=account, path=f"/c/{community['name']}", viewport=SIZES[size])
    await page.get_by_role("banner").get_by_role("button", name="Sign in").click()

    # then their name shows, on the post and in the menu, and their address nowhere
    card = post_card(page, title)
    await expect(card).to_contain_text(name)
    await expect(card).not_to_contain_text(short(ADDRESSES[account]))
    await account_menu(page).click()
    await expect(page.locator("#user-menu-panel")).to_contain_text(f"Signed in as {name}")

    # when they download their data from the menu
    async with page.expect_download() as waiting:
        await page.get_by_test_id("export-link").click()
    download = await waiting.value

    # then the file is their export, with the post
    assert download.suggested_filename.endswith(".json")
    document = json.loads((await download.path()).read_text())
    assert document["schemaVersion"] == 1
    assert document["account"]["displayName"] == name
    assert [p["title"] for p in document["posts"]] == [title]


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_deleting_the_account_from_the_profile(app, size):
    # given a person with a post, signed in on their profile
    account = DELETED[size]
    address = ADDRESSES[account]
    person = await app.api(account)
    community = await create_community(person, unique("gone"))
    title = unique("Soon deleted")
    await create_post(person, community["name"], title=title)
    page = await app.signed_in(account, f"/u/{address}", viewport=SIZES[size])

    # when they ask to delete the account and type someone else's address
    await page.get_by_role("button", name="Delete account…").click()
    confirm = page.get_by_label("Type your address to confirm")
    await confirm.fill(ADDRESSES[0])
    await screenshot(page, f"delete-account-{size}")
    await page.get_by_role("button", name="Delete my account").click()
    # then nothing is deleted, and the form says why
    await expect(page.get_by_text("Type your account's address to confirm")).to_be_visible()

    # when they type their own address, in lower case
    await confirm.fill(address.lower())
    await page.get_by_role("button", name="Delete my account").click()

    # then they are signed out and their post is gone from the community
    await expect(page.get_by_role("banner").get_by_role("button", name="Sign in")).to_be_visible()
    await page.goto(f"/c/{community['name']}")
    await expect(page.get_by_role("heading", name=title, exact=True)).to_have_count(0)

    # and signing in again with the wallet starts a new, empty account
    await page.get_by_role("banner").get_by_role("button", name="Sign in").click()
    await expect(account_menu(page)).to_contain_text(short(address))
    await page.goto(f"/u/{address}")
    await expect(page.get_by_text("No posts yet.")).to_be_visible()
