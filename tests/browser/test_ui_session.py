"""Signing in with a wallet, staying signed in, signing out — and help when there's no wallet."""

import pytest
from playwright.async_api import expect

from .helpers import ADDRESSES, account_menu, short, sign_in

pytestmark = pytest.mark.browser


def sign_in_button(page):
    return page.get_by_role("banner").get_by_role("button", name="Sign in")


async def test_sign_in_with_a_wallet_survives_a_reload_and_signs_out(app):
    # given a visitor with a wallet on the front page
    page = await app.open(account=0)
    await expect(sign_in_button(page)).to_be_enabled()

    # when they sign in
    await sign_in(page, account=0)

    # then the header shows their account, and the wallet was asked to sign once
    await expect(account_menu(page)).to_contain_text(short(ADDRESSES[0]))
    calls = await page.evaluate("window.__agoraWalletCalls")
    assert "eth_requestAccounts" in calls and calls.count("personal_sign") == 1

    # and a reload keeps them signed in (session cookie, then the viewer query)
    await page.reload()
    await expect(account_menu(page)).to_contain_text(short(ADDRESSES[0]))

    # when they sign out from the account menu
    await account_menu(page).click()
    await page.get_by_role("button", name="Sign out").click()

    # then they are a visitor again, also after a reload
    await expect(sign_in_button(page)).to_be_visible()
    await page.reload()
    await expect(sign_in_button(page)).to_be_enabled()


async def test_a_cancelled_signature_is_explained_and_can_be_retried(app):
    # given a visitor whose wallet will refuse the first signature
    page = await app.open(account=1)
    await expect(sign_in_button(page)).to_be_enabled()
    await page.evaluate("window.__agoraRejectNextSign = true")

    # when they sign in and cancel in the wallet
    await sign_in_button(page).click()

    # then the dialog says so in plain words, and trying again works
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("alert")).to_contain_text("cancelled")
    await dialog.get_by_role("button", name="Try again").click()
    await expect(account_menu(page)).to_contain_text(short(ADDRESSES[1]))


async def test_without_a_wallet_sign_in_explains_what_a_wallet_is(app):
    # given a visitor whose browser has no wallet
    page = await app.open(account=None)

    # when they press "Sign in"
    await sign_in_button(page).click()

    # then a friendly explanation appears, with where to get one, and it closes again
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("heading")).to_have_text("You'll need a wallet to sign in")
    await expect(dialog).to_contain_text("free")
    await expect(dialog.get_by_role("link", name="MetaMask")).to_be_visible()
    await dialog.get_by_role("button", name="Got it").click()
    await expect(page.get_by_role("dialog")).to_be_hidden()
