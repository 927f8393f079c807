"""How it looks and feels: themes, phone width, keyboard use — and screenshots of the main pages."""

import re

import pytest
from playwright.async_api import expect

from tests.support.factories import create_comment, create_community, create_post, vote

from .helpers import ADDRESSES, DESKTOP, PHONE, screenshot, unique

pytestmark = pytest.mark.browser


async def arrange_a_lively_community(app) -> tuple[str, str]:
    alice, bob, carol = await app.api(0), await app.api(1), await app.api(2)
    name = unique("bakers")
    await create_community(
        alice,
        name,
        title="Home Bakers",
        description="Bread, cakes and everything from your oven. **All levels welcome.**",
        rules=["Be kind to beginners", "Share recipes, not ads", "Credit your sources"],
    )
    post = await create_post(
        alice,
        name,
        title="My first sourdough — what went wrong?",
        body=(
            "It came out flat and dense.\n\n- 500 g flour\n- 350 g water\n- 100 g starter"
            "\n\nAny ideas?"
        ),
    )
    await create_post(
        bob, name, title="A recipe site I like", body=None, url="https://example.org/bread"
    )
    await create_post(carol, name, title="Weekly thread: show your bakes", body="Post your photos!")
    first = await create_comment(bob, post["id"], "Your starter might be too young. How old is it?")
    await create_comment(alice, post["id"], "About a week.", parent_id=first["id"])
    await create_comment(carol, post["id"], "Try a longer bulk ferment, **4–6 hours**.")
    await vote(bob, post["id"], "UP")
    await vote(carol, post["id"], "UP")
    return name, post["id"]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_screenshots_of_the_main_pages(app, theme, size):
    # given a community with posts and a thread, seen by a signed-in person
    name, post_id = await arrange_a_lively_community(app)
    viewport = DESKTOP if size == "desktop" else PHONE
    page = await app.signed_in(1, viewport=viewport, color_scheme=theme)
    pages = {
        "home": "/",
        "community": f"/c/{name}",
        "post": f"/c/{name}/p/{post_id}",
        "communities": "/communities",
        "submit": f"/submit?community={name}",
        "create-community": "/create-community",
        "profile": f"/u/{ADDRESSES[0]}",
        "modlog": f"/c/{name}/modlog",
    }
    for label, path in pages.items():
        # when they open each page
        await page.goto(path)
        await expect(page.locator(".loading")).to_have_count(0)
        await page.wait_for_load_state("networkidle")

        # then it follows the theme, fits the width with no sideways scrolling, and is captured
        bg = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (bg == "rgb(14, 16, 19)") == (theme == "dark"), (label, bg)
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label} scrolls sideways by {overflow}px at {size}"
        await screenshot(page, f"{label}-{theme}-{size}")


async def test_the_theme_toggle_overrides_the_system_and_is_remembered(app):
    # given someone whose system prefers light
    page = await app.open(account=None, color_scheme="light")
    toggle = page.get_by_role("button", name="Switch to dark theme")

    # when they switch to dark
    await toggle.click()

    # then the page is dark, and stays dark after a reload
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    await page.reload()
    assert (
        await page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(14, 16, 19)"
    )
    await expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()


async def test_keyboard_users_can_skip_to_the_content_and_every_field_has_a_label(app):
    # given a visitor on the submit page
    page = await app.open(account=None, path="/submit")
    await expect(page.get_by_label("Title")).to_be_visible()

    # when they press Tab first
    await page.keyboard.press("Tab")

    # then "Skip to content" is focused, and Enter takes them to the main content
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"#main$"))

    # and every form control on the page has an accessible name
    unnamed = await page.evaluate(
        """() => [...document.querySelectorAll("input, textarea, select, button")]
              .filter((el) => !el.hidden && el.offsetParent !== null)
              .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                              && !el.getAttribute("aria-labelledby") && !el.textContent.trim())
              .map((el) => el.outerHTML)"""
    )
    assert unnamed == []


async def test_the_sign_in_button_fits_a_phone_screen(app):
    # given someone on a 390 px wide phone who has not signed in
    page = await app.open(account=0, viewport=PHONE)
    button = page.locator(".site-header").get_by_role("button", name="Sign in")
    await expect(button).to_be_visible()
    # then the whole button is on screen, the header does not scroll sideways
    box = await button.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    width = await page.evaluate("document.querySelector('.site-header').scrollWidth")
    assert width <= PHONE["width"]
