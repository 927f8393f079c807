"""A GraphQL client as a browser or a script would be, over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

SIGN_IN_CHALLENGE = """
mutation Challenge($address: String!) {
  signInChallenge(address: $address) { message nonce expiresAt }
}
"""

SIGN_IN = """
mutation SignIn($message: String!, $signature: String!) {
  signIn(message: $message, signature: $signature) { token csrfToken user { id address } }
}
"""


class GraphQLErrors(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['extensions']['code']}: {e['message']}" for e in errors))
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [e["extensions"]["code"] for e in self.errors]


@dataclass
class Client:
    """One client of the API: anonymous, or signed in with a bearer token."""

    url: str
    http: httpx.AsyncClient
    token: str | None = None
    account: LocalAccount | None = None
    user_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response: {"data": ..., "errors": [...]}."""
        headers = dict(self.headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        # Clients share one connection pool; each carries its own credentials, so no cookie
        # set by one response may ride along on another client's requests.
        self.http.cookies.clear()
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = await self.execute(query, variables)
        if body.get("errors"):
            raise GraphQLErrors(body["errors"])
        return body["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The one error of a response that must fail."""
        body = await self.execute(query, variables)
        assert body.get("errors"), f"expected an error, got {body}"
        assert len(body["errors"]) == 1, body["errors"]
        return body["errors"][0]


def sign(account: LocalAccount, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix(
        "0x"
    )


async def sign_in(client: Client, account: LocalAccount | None = None) -> Client:
    """Sign `client` in with `account` (a fresh key by default) the way a wallet does."""
    account = account or Account.create()
    challenge = await client.data(SIGN_IN_CHALLENGE, {"address": account.address})
    message = challenge["signInChallenge"]["message"]
    session = await client.data(SIGN_IN, {"message": message, "signature": sign(account, message)})
    client.token = session["signIn"]["token"]
    client.account = account
    client.user_id = session["signIn"]["user"]["id"]
    return client
