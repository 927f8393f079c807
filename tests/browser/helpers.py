"""Helpers for the browser tests: the real app in Debian's Chromium, with a test wallet in the page.

The wallet is a minimal EIP-1193 provider (``window.ethereum``) injected before the app loads.
It answers account and chain requests itself and hands ``personal_sign`` to Python, where
eth_account signs with an anvil dev key: the app runs the same code path as with a real wallet.
Given a chain (``App.chain_rpc_url``), it also signs and sends transactions
(``eth_sendTransaction``: signed by eth_account, sent raw to the chain, as a wallet does),
signs EIP-712 typed data (``eth_signTypedData_v4``) and passes reads (``eth_call``) to the chain.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect
from web3 import Web3

from api.seed import ANVIL_MNEMONIC
from tests.support.graphql import Client
from tests.support.graphql import sign_in as api_sign_in

expect.set_options(timeout=10_000)

CHROMIUM = os.environ.get("AGORA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
FRONTEND_DIST = ROOT / "frontend" / "dist"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Anvil's well-known development accounts: the people in these tests.
KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
]
Account.enable_unaudited_hdwallet_features()
# And anvil's accounts 3 to 6 (the same mnemonic's next keys), for tests that name or delete
# their person: those changes would show in every other test that signs in as one of the first.
ACCOUNTS: list[LocalAccount] = [Account.from_key(k) for k in KEYS] + [
    Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(3, 7)
]
ADDRESSES = [a.address for a in ACCOUNTS]

PROVIDER_JS = """
(() => {
  const account = %(address)s;
  const listeners = {};
  window.__agoraWalletCalls = [];
  window.ethereum = {
    isAgoraTestWallet: true,
    async request({ method, params }) {
      window.__agoraWalletCalls.push(method);
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [account];
        case "eth_chainId":
          return "0x7a69";
        case "net_version":
          return "31337";
        case "eth_sendTransaction": {
          const [tx] = params;
          if (!tx.from || tx.from.toLowerCase() !== account.toLowerCase()) {
            throw Object.assign(new Error("Unknown account"), { code: 4100 });
          }
          if (!window.__agoraTestSend) throw Object.assign(new Error("No chain"), { code: 4900 });
          if (window.__agoraRejectNextSign) {
            window.__agoraRejectNextSign = false;
            throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          }
          return await window.__agoraTestSend(JSON.stringify(tx));
        }
        case "eth_signTypedData_v4": {
          const [address, typedData] = params;
          if (address.toLowerCase() !== account.toLowerCase()) {
            throw Object.assign(new Error("Unknown account"), { code: 4100 });
          }
          if (!window.__agoraTestSignTyped) {
            throw Object.assign(new Error("No chain"), { code: 4900 });
          }
          return await window.__agoraTestSignTyped(
            typeof typedData === "string" ? typedData : JSON.stringify(typedData));
        }
        case "eth_call":
        case "eth_blockNumber":
        case "eth_getTransactionByHash":
        case "eth_getTransactionReceipt": {
          if (!window.__agoraTestRpc) throw Object.assign(new Error("No chain"), { code: 4900 });
          return JSON.parse(await window.__agoraTestRpc(method, JSON.stringify(params || [])));
        }
        case "personal_sign": {
          const [data, address] = params;
          if (address.toLowerCase() !== account.toLowerCase()) {
            throw Object.assign(new Error("Unknown account"), { code: 4100 });
          }
          if (window.__agoraRejectNextSign) {
            window.__agoraRejectNextSign = false;
            throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          }
          return await window.__agoraTestSign(data, address);
        }
        default:
          throw Object.assign(new Error("Unsupported method " + method), { code: 4200 });
      }
    },
    on(event, fn) { (listeners[event] ||= []).push(fn); },
    removeListener(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    },
  };
})();
"""


def short(address: str) -> str:
    """How the app shows an address that has no display name."""
    return f"{address[:6]}…{address[-4:]}"


def unique(prefix: str) -> str:
    """A fresh community name, so tests sharing one server never collide."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


class TestWallet:
    """The Python half of the test wallet on a chain: signs as `account`, sends to `rpc_url`, and
    keeps the hashes of the transactions it sent."""

    def __init__(self, account: LocalAccount, rpc_url: str) -> None:
        self.account = account
        self.w3 = Web3(Web3.HTTPProvider(rpc_url))
        self.sent: list[str] = []

    def send_transaction(self, tx_json: str) -> str:
        """Fills in what a wallet fills in (nonce, gas, price, chain), signs and sends; a call that
        would revert is refused with the node's reason, as wallets do after estimating gas."""
        tx = json.loads(tx_json)
        request: dict[str, Any] = {
            "from": self.account.address,
            "to": Web3.to_checksum_address(tx["to"]),
            "data": tx.get("data", "0x"),
            "value": int(tx.get("value", "0x0"), 16),
            "chainId": self.w3.eth.chain_id,
            "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"),
            "gasPrice": self.w3.eth.gas_price,
        }
        # A margin over the estimate, as wallets add one: votes checkpoints are keyed by the
        # second, so a call mined a second after its estimate may write fresh slots (see
        # agora/chain.py's _GAS_MARGIN).
        estimate = self.w3.eth.estimate_gas(request)  # type: ignore[arg-type]  # a dict is a TxParams
        request["gas"] = estimate * 6 // 5 + 60_000
        signed = self.account.sign_transaction(request)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        assert receipt["status"] == 1, f"the transaction {tx_hash.to_0x_hex()} reverted"
        self.sent.append(tx_hash.to_0x_hex())
        return tx_hash.to_0x_hex()

    def sign_typed_data(self, typed_data_json: str) -> str:
        signable = encode_typed_data(full_message=json.loads(typed_data_json))
        return "0x" + bytes(self.account.sign_message(signable).signature).hex()

    def rpc(self, method: str, params_json: str) -> str:
        """A read, passed to the node as it is (its JSON answer)."""
        answer = self.w3.provider.make_request(method, json.loads(params_json))  # type: ignore[arg-type]  # a str is a RPCEndpoint
        if "error" in answer:
            raise RuntimeError(answer["error"].get("message", "the node refused the call"))
        return json.dumps(answer["result"])


def _signer(account: LocalAccount) -> Callable[[str, str], str]:
    def sign(data: str, _address: str) -> str:
        message = (
            encode_defunct(hexstr=data) if data.startswith("0x") else encode_defunct(text=data)
        )
        return "0x" + bytes(account.sign_message(message).signature).hex()

    return sign


class App:
    """Opens the forum as a person would: a fresh browser profile, with or without a wallet."""

    def __init__(self, browser: Browser, base_url: str, http: httpx.AsyncClient) -> None:
        self.browser = browser
        self.base_url = base_url
        self.http = http
        self.contexts: list[BrowserContext] = []
        # The chain the wallets send to and read from (None: they only sign in).
        self.chain_rpc_url: str | None = None
        # Each opened page's wallet on the chain, by account index.
        self.wallets: dict[int, TestWallet] = {}

    async def open(
        self,
        account: int | None = 0,
        path: str = "/",
        *,
        viewport: dict[str, int] | None = None,
        color_scheme: str = "light",
    ) -> Page:
        """A new browser profile on `path`; `account` indexes ACCOUNTS (None: no wallet)."""
        ctx = await self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport or DESKTOP,
            color_scheme=color_scheme,  # type: ignore[arg-type]
            reduced_motion="reduce",
        )
        ctx.set_default_timeout(15_000)
        if account is not None:
            await ctx.expose_function("__agoraTestSign", _signer(ACCOUNTS[account]))
            if self.chain_rpc_url:
                wallet = self.wallets.setdefault(
                    account, TestWallet(ACCOUNTS[account], self.chain_rpc_url)
                )
                await ctx.expose_function("__agoraTestSend", wallet.send_transaction)
                await ctx.expose_function("__agoraTestSignTyped", wallet.sign_typed_data)
                await ctx.expose_function("__agoraTestRpc", wallet.rpc)
            await ctx.add_init_script(PROVIDER_JS % {"address": json.dumps(ADDRESSES[account])})
        self.contexts.append(ctx)
        page = await ctx.new_page()
        await page.goto(path)
        return page

    async def signed_in(self, account: int, path: str = "/", **kw: Any) -> Page:
        """A page where `account` signed in through the UI, then went to `path`."""
        page = await self.open(account=account, **kw)
        await sign_in(page, account)
        if path != "/":
            await page.goto(path)
            await expect(account_menu(page)).to_be_visible()
        return page

    async def api(self, account: int) -> Client:
        """The same person, through the API (for arranging a test quickly)."""
        return await api_sign_in(Client(f"{self.base_url}/graphql", self.http), ACCOUNTS[account])

    async def save_failure_screenshots(self, test_name: str) -> None:
        """Screenshots of every open page, into test-artifacts/failures/ (for CI)."""
        folder = SCREENSHOTS.parent / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(self.contexts):
            for j, page in enumerate(ctx.pages):
                try:
                    await page.screenshot(
                        path=str(folder / f"{test_name}-{i}-{j}.png"), full_page=True
                    )
                except Exception:  # noqa: BLE001 - best effort
                    pass

    async def close(self) -> None:
        for ctx in self.contexts:
            await ctx.close()


async def sign_in(page: Page, account: int = 0) -> None:
    """Presses "Sign in" and waits until the header shows the account."""
    await page.get_by_role("banner").get_by_role("button", name="Sign in").click()
    await expect(account_menu(page)).to_contain_text(short(ADDRESSES[account]))


def account_menu(page: Page) -> Locator:
    return page.get_by_role("button", name="account menu")


def post_card(page: Page, title: str) -> Locator:
    """The feed entry of the post with this title."""
    return page.locator("article.post-card").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def comment(page: Page, text: str) -> Locator:
    """The list item of the comment whose own text is `text` (not its replies')."""
    return page.locator("li.comment").filter(
        has=page.locator(":scope > article .prose", has_text=text)
    )


async def score_of(scope: Locator | Page) -> int:
    return int(await scope.get_by_test_id("score").first.inner_text())


def record_ws_frames(page: Page) -> list[str]:
    """Collects the page's WebSocket frames (to know when live updates are subscribed)."""
    frames: list[str] = []

    def on_ws(ws: Any) -> None:
        ws.on("framereceived", lambda payload: frames.append(str(payload)))
        ws.on("framesent", lambda payload: frames.append(str(payload)))

    page.on("websocket", on_ws)
    return frames


async def wait_for_live(page: Page, frames: list[str], subscriptions: int = 1) -> None:
    """Waits until the GraphQL WebSocket is acknowledged and `subscriptions` were sent."""
    for _ in range(150):
        acked = any("connection_ack" in f for f in frames)
        sent = sum('"subscribe"' in f for f in frames)
        if acked and sent >= subscriptions:
            await page.wait_for_timeout(500)  # let the server register the subscription
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"the page never subscribed to live updates; frames: {frames[:5]}")


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


async def eventually(check: Callable[[], Awaitable[bool]], page: Page, tries: int = 50) -> bool:
    for _ in range(tries):
        if await check():
            return True
        await page.wait_for_timeout(100)
    return False
