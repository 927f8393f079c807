"""Hostile relays and addresses: ballots the chain would refuse are refused first and never block
the voter's right one, strangers cannot lock a voter out, one nonce carries one ballot, the
client's IP is a proxy's word only when the proxy is trusted, and a hung node or a dead Redis
is said quickly.

All real: anvil with the deployed contracts, the API over HTTP, `agora send` as a process, the
indexer run to the head in this process (the arrangement of test_governance_actions).
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from agora.settings import Settings
from governance.deploy import Deployment
from governance.proposals import Support, sign_ballot
from tests.api.test_governance_actions import (
    PROPOSE_ELECTION,
    PROPOSE_IMPEACHMENT,
    RELAY_VOTE,
    account,
    ballot,
    chain_rpc_url,
    deployment,
    deployment_file,
    gov,
    index,
    member,
    on_chain_community,
    operator_funds,
    operator_key,
    sender,
    server,
    submit,
    w3,
)
from tests.governance.driver import Community, Governance
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.sender import SenderProcess
from tests.support.server import LiveServer, start_server

__all__ = [  # fixtures shared with test_governance_actions
    "chain_rpc_url",
    "deployment",
    "deployment_file",
    "gov",
    "index",
    "member",
    "operator_key",
    "sender",
    "server",
    "w3",
]

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

SIGN_IN_CHALLENGE = "mutation($a: String!) { signInChallenge(address: $a) { nonce } }"


@dataclass
class Election:
    community: Community
    drafts: list[dict[str, Any]]


async def open_elections(
    gov: Governance, w3: Web3, member: Any, index: Any, voters: dict[LocalAccount, int], count: int
) -> Election:
    """A community on-chain with `count` elections open to vote, the voters holding points."""
    alice = await member(w3)
    community = await on_chain_community(gov, alice)
    gov.pay(community, {account(alice): 60, **voters})
    await index()
    drafts = []
    for n in range(count):
        draft = (
            await alice.data(
                PROPOSE_ELECTION,
                {
                    "community": community.name,
                    "candidate": gov.member().address,
                    "description": f"Election {n}",
                },
            )
        )["proposeModeratorElection"]
        submit(gov, community, draft, alice)
        drafts.append(draft)
    gov.open_voting(community)
    await index()
    return Election(community, drafts)


def with_v(signature: str, v: int) -> str:
    raw = bytearray(bytes.fromhex(signature[2:]))
    raw[64] = v
    return "0x" + raw.hex()


def high_s_twin(signature: str) -> str:
    """The other signature of the same ballot: s mirrored into the upper half, v flipped."""
    raw = bytes.fromhex(signature[2:])
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([55 - raw[64]])).hex()


def relay(draft: dict[str, Any], voter: LocalAccount, signature: str) -> dict[str, Any]:
    return {
        "proposalId": draft["id"],
        "support": "FOR",
        "voter": voter.address,
        "signature": signature,
    }


async def code(client: Client, query: str, variables: dict[str, Any]) -> str:
    return str((await client.error(query, variables))["extensions"]["code"])


async def outbox_statuses(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT status FROM operator_transactions WHERE kind = 'cast_vote_by_sig' ORDER BY id"
        )
    finally:
        await conn.close()
    return [row["status"] for row in rows]


async def until(probe: Any, done: Any) -> Any:
    """`await probe()` once `done` of it holds (a minute at most)."""
    deadline = time.monotonic() + 60
    while True:
        value = await probe()
        if done(value):
            return value
        assert time.monotonic() < deadline, value
        await asyncio.sleep(0.2)


def proxied(server: LiveServer, http: httpx.AsyncClient, ip: str) -> Client:
    return Client(server.graphql_url, http, headers={"X-Forwarded-For": ip})


def random_ip() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    started = PrivateRedis(tmp_path / "redis")
    started.start()
    yield started
    started.stop()


def mistype(address: str) -> str:
    """`address` (checksummed) with one letter's case wrong, still mixed-case."""
    for n, char in enumerate(address[2:], start=2):
        if not char.isalpha():
            continue
        typo = address[:n] + char.swapcase() + address[n + 1 :]
        if typo[2:] not in (typo[2:].lower(), typo[2:].upper()):
            return typo
    raise AssertionError(f"{address} has too few letters to mistype")


@pytest.fixture
def late_sender(
    tmp_path: Path,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    w3: Web3,  # the chain goes back to its snapshot once the sender is gone
) -> Iterator[Callable[[], SenderProcess]]:
    """Starts `agora send` when the test says so: the relays before it stay pending."""
    started: list[SenderProcess] = []

    def start() -> SenderProcess:
        started.append(
            SenderProcess(
                tmp_path / "send.log",
                database_url=fresh_database_url,
                redis_url=redis_url,
                chain_rpc_url=chain_rpc_url,
                deployment_file=deployment_file,
            )
        )
        return started[-1]

    yield start
    for each in started:
        each.kill()


# --- ballots ------------------------------------------------------------------------------------


async def test_a_ballot_the_chain_would_refuse_is_refused_and_the_right_one_then_mined(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    server: LiveServer,
    sender: SenderProcess,
    member: Any,
    index: Any,
    fresh_database_url: str,
    http: httpx.AsyncClient,
) -> None:
    # given an open election where bob and dave hold points
    bob, dave = gov.member(), gov.member()
    election = await open_elections(gov, w3, member, index, {bob: 30, dave: 10}, count=1)
    community, [draft] = election.community, election.drafts
    governor = community.governor
    right = ballot(community, draft, bob, Support.FOR)
    before = operator_funds(w3, deployment)
    anonymous = Client(server.graphql_url, http)

    # when bob's valid ballot is resent with a v the governor's ecrecover does not take, or as
    # its malleable twin
    for v in (2, 29, 35, 36, 37, 38, 255):
        assert await code(anonymous, RELAY_VOTE, relay(draft, bob, with_v(right, v))) == (
            "BAD_SIGNATURE"
        ), v
    assert await code(anonymous, RELAY_VOTE, relay(draft, bob, high_s_twin(right))) == (
        "BAD_SIGNATURE"
    )
    # then nothing was recorded and the operator spent nothing
    assert await outbox_statuses(fresh_database_url) == []
    assert operator_funds(w3, deployment) == before
    assert not governor.functions.hasVoted(int(draft["proposalId"]), bob.address).call()

    # when bob then sends his right ballot
    relayed = (await anonymous.data(RELAY_VOTE, relay(draft, bob, right)))["relayVote"]
    # then it is relayed and mined: the refused ones blocked nothing
    assert relayed["status"] in ("SENT", "MINED"), (relayed, sender.log())
    assert w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)["status"] == 1
    assert governor.functions.hasVoted(int(draft["proposalId"]), bob.address).call()

    # when dave's ballot comes with v as 0/1 (the same recovery bit, as some wallets give it)
    dave_ballot = ballot(community, draft, dave, Support.FOR)
    zero_one = with_v(dave_ballot, bytes.fromhex(dave_ballot[2:])[64] - 27)
    relayed = (await anonymous.data(RELAY_VOTE, relay(draft, dave, zero_one)))["relayVote"]
    # then it is normalised to the form the chain takes, relayed and mined
    assert relayed["status"] in ("SENT", "MINED"), (relayed, sender.log())
    receipt = w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)
    assert receipt["status"] == 1
    assert governor.functions.hasVoted(int(draft["proposalId"]), dave.address).call()
    sent = w3.eth.get_transaction(relayed["txHash"])
    assert dave_ballot[2:] in bytes(sent["input"]).hex()
    # and the operator sent those two transactions only
    assert sender.log().count("sending 0x") == 2


async def test_a_failed_relay_does_not_block_the_voters_next_ballot(
    gov: Governance,
    w3: Web3,
    deployment: Deployment,
    server: LiveServer,
    member: Any,
    index: Any,
    late_sender: Callable[[], SenderProcess],
    fresh_database_url: str,
    http: httpx.AsyncClient,
) -> None:
    # given two open elections where bob holds points, and no sender running yet
    bob = gov.member()
    election = await open_elections(gov, w3, member, index, {bob: 30}, count=2)
    community, (first, second) = election.community, election.drafts
    anonymous = Client(server.graphql_url, http)
    # when bob's ballot on the first is relayed (it waits for the sender)
    pending = (
        await anonymous.data(
            RELAY_VOTE, relay(first, bob, ballot(community, first, bob, Support.FOR))
        )
    )["relayVote"]
    assert pending["status"] == "PENDING"
    # and bob's own wallet spends that nonce first, voting on the second by signature
    gov.send(
        bob,
        community.governor.functions.castVoteBySig(
            int(second["proposalId"]),
            int(Support.AGAINST),
            bob.address,
            sign_ballot(community.governor, int(second["proposalId"]), Support.AGAINST, bob.key),
        ),
    )
    # then the sender, once running, fails the relayed ballot (the chain refuses its nonce)
    started = late_sender()
    await until(lambda: outbox_statuses(fresh_database_url), lambda s: s == ["failed"])
    # when bob signs his ballot on the first again, at his next nonce
    again = ballot(community, first, bob, Support.FOR)
    relayed = (await anonymous.data(RELAY_VOTE, relay(first, bob, again)))["relayVote"]
    # then the failed one did not block it: it is relayed and mined
    assert relayed["status"] in ("SENT", "MINED"), (relayed, started.log())
    assert w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)["status"] == 1
    assert community.governor.functions.hasVoted(int(first["proposalId"]), bob.address).call()


async def test_one_nonce_carries_one_ballot_even_sent_together(
    gov: Governance,
    w3: Web3,
    server: LiveServer,
    member: Any,
    index: Any,
    late_sender: Callable[[], SenderProcess],
    fresh_database_url: str,
    http: httpx.AsyncClient,
) -> None:
    # given two open elections where bob holds points, and no sender running yet
    bob = gov.member()
    election = await open_elections(gov, w3, member, index, {bob: 30}, count=2)
    community, (first, second) = election.community, election.drafts
    anonymous = Client(server.graphql_url, http)
    # when bob's ballots on both, signed at the same nonce, are relayed together
    answers = await asyncio.gather(
        *(
            anonymous.execute(
                RELAY_VOTE, relay(draft, bob, ballot(community, draft, bob, Support.FOR))
            )
            for draft in (first, second)
        )
    )
    # then one is taken, and the other refused: the governor would count one of them
    taken = [a["data"]["relayVote"] for a in answers if not a.get("errors")]
    refused = [a["errors"][0]["extensions"]["code"] for a in answers if a.get("errors")]
    assert [t["status"] for t in taken] == ["PENDING"], answers
    assert refused == ["CONFLICT"], answers
    winner = first if taken[0]["proposalId"] == first["proposalId"] else second
    loser = second if winner is first else first
    # when the sender sends the one taken
    late_sender()
    await until(lambda: outbox_statuses(fresh_database_url), lambda s: s == ["mined"])
    # then the refused ballot, at the spent nonce, is refused as the chain would refuse it
    number = int(loser["proposalId"])
    stale = sign_ballot(community.governor, number, Support.FOR, bob.key, nonce=0)
    assert await code(anonymous, RELAY_VOTE, relay(loser, bob, "0x" + stale.hex())) == (
        "BAD_SIGNATURE"
    )
    # and bob's ballot on the other, signed at his next nonce, is relayed and mined
    again = ballot(community, loser, bob, Support.FOR)
    relayed = (await anonymous.data(RELAY_VOTE, relay(loser, bob, again)))["relayVote"]
    assert w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)["status"] == 1
    for draft in (winner, loser):
        assert community.governor.functions.hasVoted(int(draft["proposalId"]), bob.address).call()


async def test_junk_relays_naming_a_voter_do_not_lock_the_voter_out(
    gov: Governance,
    w3: Web3,
    settings: Settings,
    fresh_database_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    server: LiveServer,
    sender: SenderProcess,
    member: Any,
    index: Any,
    private_redis: PrivateRedis,
    http: httpx.AsyncClient,
) -> None:
    # given an open election where bob holds points
    bob = gov.member()
    election = await open_elections(gov, w3, member, index, {bob: 30}, count=1)
    community, [draft] = election.community, election.drafts
    # and a server behind a trusted proxy allowing 30 writes an hour per IP and per voter (a
    # window, fixed on the clock, that cannot end while the test counts)
    limited = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=private_redis.url,
        write_rate_limit=30,
        write_rate_window_seconds=3600,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
        trusted_proxies=("127.0.0.1",),
    )
    try:
        # when strangers, from 31 addresses, relay 31 ballots naming bob that he did not sign
        stranger = Account.create()
        junk = [
            relay(draft, bob, ballot(community, draft, stranger, Support.FOR)) for _ in range(31)
        ]
        codes = [await code(proxied(limited, http, random_ip()), RELAY_VOTE, j) for j in junk]
        assert set(codes) == {"BAD_SIGNATURE"}
        # and one address sends those 31 again (it is limited as any writer is)
        one = proxied(limited, http, random_ip())
        codes = [await code(one, RELAY_VOTE, j) for j in junk]
        assert codes == ["BAD_SIGNATURE"] * 30 + ["RATE_LIMITED"]
        # then bob's own ballot is not rate-limited: it is relayed and mined
        right = relay(draft, bob, ballot(community, draft, bob, Support.FOR))
        relayed = (await proxied(limited, http, random_ip()).data(RELAY_VOTE, right))["relayVote"]
        assert w3.eth.wait_for_transaction_receipt(relayed["txHash"], timeout=30)["status"] == 1
    finally:
        limited.stop()


async def test_a_hung_node_is_said_quickly(
    gov: Governance,
    w3: Web3,
    settings: Settings,
    fresh_database_url: str,
    redis_url: str,
    deployment_file: Path,
    server: LiveServer,
    member: Any,
    index: Any,
    http: httpx.AsyncClient,
) -> None:
    # given an open election where bob holds points
    bob = gov.member()
    election = await open_elections(gov, w3, member, index, {bob: 30}, count=1)
    community, [draft] = election.community, election.drafts
    # and a node that takes connections and never answers
    hung = socket.create_server(("127.0.0.1", 0), backlog=64)
    stuck = start_server(
        settings,
        database_url=fresh_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        chain_rpc_url=f"http://127.0.0.1:{hung.getsockname()[1]}",
        deployment_file=deployment_file,
    )
    try:
        # when bob's ballot is relayed
        started = time.monotonic()
        error = await Client(stuck.graphql_url, http).error(
            RELAY_VOTE, relay(draft, bob, ballot(community, draft, bob, Support.FOR))
        )
        took = time.monotonic() - started
    finally:
        stuck.stop()
        hung.close()
    # then the answer says the chain is unavailable, within the relay's budget of 3 s
    assert error["extensions"]["code"] == "CHAIN_UNAVAILABLE"
    assert took < 6, took  # 27 s before: web3 retried a read timeout of 5 s


# --- addresses and drafts -----------------------------------------------------------------------


async def test_addresses_are_wallet_addresses_with_their_checksum(
    gov: Governance, w3: Web3, server: LiveServer, member: Any, index: Any, http: httpx.AsyncClient
) -> None:
    # given a community on-chain where alice holds points
    alice = await member(w3)
    community = await on_chain_community(gov, alice)
    gov.pay(community, {account(alice): 10})
    await index()
    candidate = gov.member().address
    mistyped = mistype(candidate)
    elect = {"community": community.name}
    # then a mixed-case candidate whose EIP-55 checksum fails is refused, naming the field
    error = await alice.error(PROPOSE_ELECTION, elect | {"candidate": mistyped})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "candidate"}
    assert "checksum" in error["message"]
    # and so is the zero address, whom no one holds, and an address without 0x
    for bad in ("0x" + "0" * 40, candidate[2:], "0X" + candidate[2:]):
        error = await alice.error(PROPOSE_ELECTION, elect | {"candidate": bad})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "candidate"}, bad
    error = await alice.error(PROPOSE_IMPEACHMENT, elect | {"moderator": "0x" + "0" * 40})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "moderator"}
    # while the checksummed, all lower-case and all upper-case forms are drafts of one proposal
    ids = {
        (await alice.data(PROPOSE_ELECTION, elect | {"candidate": form, "description": "x"}))[
            "proposeModeratorElection"
        ]["proposalId"]
        for form in (candidate, candidate.lower(), "0x" + candidate[2:].upper())
    }
    assert len(ids) == 1
    # and signing in is refused for an address no message could name, before any nonce
    anonymous = Client(server.graphql_url, http)
    for bad in (candidate[2:], mistyped, "0x" + "1" * 39):
        error = await anonymous.error(SIGN_IN_CHALLENGE, {"a": bad})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "address"}, bad
    assert (await anonymous.data(SIGN_IN_CHALLENGE, {"a": candidate.lower()}))["signInChallenge"]


async def test_drafts_are_rate_limited(
    settings: Settings, database_url: str, private_redis: PrivateRedis, http: httpx.AsyncClient
) -> None:
    # given a server allowing 5 writes an hour (a window that cannot end while the test
    # counts), and a member signed in there
    limited = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        write_rate_limit=5,
        write_rate_window_seconds=3600,
    )
    try:
        alice = await sign_in(Client(limited.graphql_url, http))
        # when she asks for drafts again and again
        draft = {"community": "nowhere_at_all", "candidate": Account.create().address}
        codes = [await code(alice, PROPOSE_ELECTION, draft) for _ in range(6)]
    finally:
        limited.stop()
    # then they are limited as writes are (her sign-in counted too)
    assert codes[0] == "NOT_FOUND"
    assert codes[-1] == "RATE_LIMITED"
    assert set(codes) == {"NOT_FOUND", "RATE_LIMITED"}


# --- the client's address, and health -----------------------------------------------------------


async def test_x_forwarded_for_is_believed_only_from_trusted_proxies(
    settings: Settings, database_url: str, private_redis: PrivateRedis, http: httpx.AsyncClient
) -> None:
    address = Account.create().address

    async def codes(server: LiveServer, ips: list[str]) -> list[str]:
        answers = []
        for ip in ips:
            body = await proxied(server, http, ip).execute(SIGN_IN_CHALLENGE, {"a": address})
            answers.append(body["errors"][0]["extensions"]["code"] if body.get("errors") else "OK")
        return answers

    # (an hour: a window, fixed on the clock, that cannot end while the test counts)
    options = {"write_rate_limit": 2, "write_rate_window_seconds": 3600}
    # given a server with TRUSTED_PROXIES unset
    direct = start_server(
        settings, database_url=database_url, redis_url=private_redis.url, **options
    )
    try:
        # when one client names a new IP in X-Forwarded-For on each request
        # then it is still one client: the third is limited
        assert await codes(direct, [random_ip() for _ in range(3)]) == ["OK", "OK", "RATE_LIMITED"]
    finally:
        direct.stop()
    # given a server behind a proxy on this machine, trusted
    behind = start_server(
        settings,
        database_url=database_url,
        redis_url=private_redis.url,
        trusted_proxies=("127.0.0.0/8",),
        **options,
    )
    try:
        # then the clients the proxy names are counted each on their own
        assert await codes(behind, [random_ip() for _ in range(3)]) == ["OK", "OK", "OK"]
        one = random_ip()
        assert await codes(behind, [one] * 3) == ["OK", "OK", "RATE_LIMITED"]
    finally:
        behind.stop()


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.1, 192.168.0.0/16 ,::1")
    assert Settings.from_env().trusted_proxies == ("10.0.0.1", "192.168.0.0/16", "::1")
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert Settings.from_env().trusted_proxies == ()
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1,proxy.local")
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'proxy.local'"):
        Settings.from_env()


async def test_healthz_says_503_and_what_is_down_when_redis_is(
    settings: Settings, database_url: str, private_redis: PrivateRedis, http: httpx.AsyncClient
) -> None:
    # given a server on a Redis of its own
    started = start_server(settings, database_url=database_url, redis_url=private_redis.url)
    try:
        assert (await http.get(f"{started.url}/healthz")).json() == {"ok": True}
        # when that Redis stops
        private_redis.stop()
        begun = time.monotonic()
        response = await http.get(f"{started.url}/healthz")
        took = time.monotonic() - begun
    finally:
        started.stop()
    # then health answers 503, naming Redis, at once
    assert response.status_code == 503
    assert response.json() == {"ok": False, "down": ["redis"]}
    assert took < 3.5, took  # each check is bounded by 3 s
