"""Fixtures for the browser tests (helpers and the test wallet are in helpers.py).

They use Playwright's async API on pytest-asyncio's session loop, so they live alongside the
API tests' async fixtures. The server is the `live_server` fixture of tests/conftest.py; the
governance tests have `chain_app`: a server of their own on the governance tests' anvil (reverted
after each test), with the operator's sender as a process and the indexer in this process, and
wallets that send to that chain.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright
from web3 import Web3

from agora.settings import Settings
from governance.deploy import Deployment
from tests.governance import conftest as governance_fixtures
from tests.indexer.conftest import catch_up
from tests.support.sender import SenderProcess
from tests.support.server import LiveServer, start_server

from .helpers import CHROMIUM, CHROMIUM_ARGS, FRONTEND_DIST, App

# The governance tests' anvil and contracts (reverted after each test), for `chain_app`.
chain_rpc_url = governance_fixtures.chain_rpc_url
operator_key = governance_fixtures.operator_key
deployment_file = governance_fixtures.deployment_file
deployment = governance_fixtures.deployment
w3 = governance_fixtures.w3
gov = governance_fixtures.gov


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


@pytest.fixture
def chain_server(
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    deployment: Deployment,
) -> Iterator[LiveServer]:
    """The app on a database of this test's own (its sender sends every intent there),
    connected to the governance tests' chain (drafts and relayed ballots)."""
    server = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    yield server
    server.stop()


@pytest.fixture
def chain_sender(
    tmp_path: Path,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    w3: Web3,  # the chain goes back to its snapshot once the sender is gone
) -> Iterator[SenderProcess]:
    """`agora send` for `chain_server`: sends the relayed ballots."""
    sender = SenderProcess(
        tmp_path / "send.log",
        database_url=fresh_database_url,
        redis_url=redis_url,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    sender.wait_for_log("sending the transactions of the operator")
    yield sender
    sender.stop()


@pytest.fixture
async def chain_indexer(
    fresh_database_url: str, chain_rpc_url: str, deployment: Deployment, w3: Web3
) -> AsyncIterator[None]:
    """The indexer following the chain into `chain_server`'s database for the whole test, in
    this process (as `agora index` does beside the forum)."""

    async def follow() -> None:
        while True:
            await catch_up(fresh_database_url, chain_rpc_url, deployment)
            await asyncio.sleep(0.2)

    task = asyncio.create_task(follow())
    yield
    if task.done():
        task.result()  # the indexer failed: say why
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
async def chain_app(
    request: pytest.FixtureRequest,
    browser: Browser,
    chain_server: LiveServer,
    chain_sender: SenderProcess,
    chain_indexer: None,
    chain_rpc_url: str,
) -> AsyncIterator[App]:
    """The forum of `chain_server` in the browser; the wallets sign and send on its chain."""
    async with httpx.AsyncClient(timeout=30) as http:
        a = App(browser, chain_server.url.rstrip("/"), http)
        a.chain_rpc_url = chain_rpc_url
        yield a
        if getattr(request.node, "browser_failed", False):
            await a.save_failure_screenshots(request.node.name)
        await a.close()
