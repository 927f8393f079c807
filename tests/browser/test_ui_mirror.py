"""The forum says when its copy of the chain is behind: a community's pages show a notice while
the indexer lags the chain's head by more than a few blocks (stopped here: it is run by hand)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect
from web3.types import RPCEndpoint

from governance.deploy import Deployment
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up
from tests.support.factories import create_community
from tests.support.server import LiveServer

from .helpers import App, unique

pytestmark = [pytest.mark.browser, pytest.mark.chain]


@pytest.fixture
async def forum(browser: Browser, chain_server: LiveServer) -> AsyncIterator[App]:
    """The forum of `chain_server`, whose mirror only moves when the test indexes."""
    async with httpx.AsyncClient(timeout=30) as http:
        a = App(browser, chain_server.url.rstrip("/"), http)
        yield a
        await a.close()


async def test_a_community_page_says_when_the_mirror_is_behind_the_chain(
    forum: App,
    gov: Governance,
    fresh_database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given a community, and the mirror at the chain's head
    name = unique("lag")
    await create_community(await forum.api(1), name, confirmed=False)
    await catch_up(fresh_database_url, chain_rpc_url, deployment)
    page = await forum.open(account=None, path=f"/c/{name}")
    await expect(page.get_by_text(f"c/{name}").first).to_be_visible()
    notice = page.get_by_test_id("mirror-behind")
    await expect(notice).to_have_count(0)

    # when the chain moves 12 blocks on and the indexer does not follow
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(12)])
    # then, on the next read, the page says the forum's copy is 12 blocks behind
    for _ in range(10):
        await page.reload()
        if await notice.count():
            break
        await page.wait_for_timeout(1000)
    await expect(notice).to_contain_text("12 blocks behind")

    # and once the indexer has caught up, the notice goes
    await catch_up(fresh_database_url, chain_rpc_url, deployment)
    for _ in range(10):
        await page.reload()
        await page.wait_for_timeout(1000)
        if not await notice.count():
            break
    await expect(notice).to_have_count(0)
