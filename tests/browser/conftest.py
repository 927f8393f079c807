"""Fixtures for the browser tests (helpers and the test wallet are in helpers.py).

They use Playwright's async API on pytest-asyncio's session loop, so they live alongside the
API tests' async fixtures. The server is the `live_server` fixture of tests/conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from .helpers import CHROMIUM, CHROMIUM_ARGS, FRONTEND_DIST, App


@pytest.fixture(scope="session")
def browser_requirements() -> None:
    """Chromium from Debian, and the built frontend, must be there: say how to get them."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    if not (FRONTEND_DIST / "index.html").exists():
        pytest.fail(
            "frontend/dist is missing: npm ci --prefix frontend && npm run --prefix frontend build"
        )


@pytest.fixture(scope="session")
async def browser(browser_requirements: None) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
def base_url(live_server) -> str:
    url = getattr(live_server, "url", live_server)
    return str(url).rstrip("/")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_failed = report.failed


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, browser: Browser, base_url: str
) -> AsyncIterator[App]:
    async with httpx.AsyncClient(timeout=30) as http:
        a = App(browser, base_url, http)
        yield a
        if getattr(request.node, "browser_failed", False):
            await a.save_failure_screenshots(request.node.name)
        await a.close()
