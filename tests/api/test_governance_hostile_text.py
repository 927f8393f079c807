"""Strings the chain takes that no API would: NUL, bytes that are not UTF-8, 100 KB, direction
overrides, in vote reasons and proposal descriptions sent straight to the governor by anyone
(a fresh key with no points votes with weight 0). The mirror keeps up and keeps their bytes,
and the API shows them safely (a real anvil, `agora index` as a process, the real API)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, keccak
from web3.types import RPCEndpoint

from agora.settings import Settings
from agora.text import DESCRIPTION_CHARS, REASON_CHARS
from api.governance.types import decode_proposal_id
from governance.deploy import Deployment
from governance.devchain import advance_time, fund
from governance.proposals import Support, election
from tests.api.test_governance import GOVERNANCE, PROPOSAL
from tests.governance.driver import Community, Governance
from tests.indexer import conftest as indexer_fixtures
from tests.indexer.conftest import indexed_block, indexer_env, start_indexer, wait_for
from tests.support.factories import create_community, unique_name
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.chain

chain_rpc_url = indexer_fixtures.chain_rpc_url
operator_key = indexer_fixtures.operator_key
deployment_file = indexer_fixtures.deployment_file
deployment = indexer_fixtures.deployment
w3 = indexer_fixtures.w3
gov = indexer_fixtures.gov
mirror = indexer_fixtures.mirror
database_url = indexer_fixtures.database_url
processes = indexer_fixtures.processes
index_settings = indexer_fixtures.index_settings

INDEXER = "{ indexer { chainId headBlock indexedBlock lagBlocks chainHead } }"

# Characters nobody should be shown from a stranger's text: controls but newline and tab, and
# the marks that reorder or hide text.
SPOOFING = {"\u061c", "\u200b", "\u200e", "\u200f", "\u2060", "\ufeff"} | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def shown_safely(text: str, limit: int) -> bool:
    return (
        len(text) <= limit
        and not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text)
        and not SPOOFING & set(text)
    )


@pytest.fixture(scope="module")
def forum(
    settings: Settings,
    mirror_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    deployment: Deployment,
) -> Iterator[LiveServer]:
    """A server on the indexer tests' database and chain: Query.indexer asks that node."""
    server = start_server(
        settings,
        database_url=mirror_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        chain_rpc_url=chain_rpc_url,
        deployment_file=deployment_file,
    )
    yield server
    server.stop()


@pytest.fixture
async def alice(forum: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(forum.graphql_url, http))


def propose_raw(
    gov: Governance, community: Community, by: LocalAccount, description: bytes, *, candidate: str
) -> int:
    """Proposes the election of `candidate` with `description`'s bytes; the proposal's id."""
    proposal = election(gov.registry, community.id, candidate)
    args = (list(proposal.targets), list(proposal.values), list(proposal.calldatas))
    selector = function_signature_to_4byte_selector("propose(address[],uint256[],bytes[],string)")
    data = selector + encode(["address[]", "uint256[]", "bytes[]", "bytes"], [*args, description])
    advance_time(gov.w3, 1)  # the threshold counts the proposer's points a second ago
    gov.send_calldata(by, community.governor.address, data)
    proposal_id: int = community.governor.functions.hashProposal(*args, keccak(description)).call()
    return proposal_id


def vote_raw(
    gov: Governance, community: Community, by: LocalAccount, proposal_id: int, reason: bytes
) -> None:
    selector = function_signature_to_4byte_selector("castVoteWithReason(uint256,uint8,string)")
    data = selector + encode(["uint256", "uint8", "bytes"], [proposal_id, Support.FOR, reason])
    gov.send_calldata(by, community.governor.address, data)


HOSTILE = {
    "nul": b"poison\x00pill",
    "not utf-8": b"caf\xe9 \xff\xfe\x80 bytes",
    "100 kb": b"x" * 100_000,
    "bidi": "Vote for \u202egnp.exe\u202c \u2066ok\u2069 \u200fhere\u200e".encode(),
    "controls": b"bell\x07 escape\x1b[31m tab\tline\r\nend\x7f\xc2\x85",
}


async def test_hostile_reasons_and_descriptions_are_mirrored_kept_and_shown_safely(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    alice: Client,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    assert alice.account
    # given a community on-chain and in the forum, alice holding points, and `agora index`
    # following the chain as a process of its own
    name = unique_name("hostile")
    await create_community(alice, name, confirmed=False)
    community = gov.create_community(name, creator=alice.account)
    fund(gov.w3, alice.account.address)
    gov.pay(community, {alice.account: 10})
    processes.append(
        start_indexer(indexer_env(index_settings, database_url, redis_url), tmp_path / "ix.log")
    )

    # when alice proposes with each hostile description, straight to the governor
    candidates = gov.members(len(HOSTILE))
    proposals = {
        what: propose_raw(gov, community, alice.account, raw, candidate=candidate.address)
        for (what, raw), candidate in zip(HOSTILE.items(), candidates, strict=True)
    }
    gov.open_voting(community)
    # and strangers with no points (fresh keys, a little ether) vote with each hostile reason
    target = proposals["nul"]
    strangers = gov.members(len(HOSTILE))
    for stranger, raw in zip(strangers, HOSTILE.values(), strict=True):
        vote_raw(gov, community, stranger, target, raw)
    # and later, alice votes as anyone would
    gov.vote(community, target, alice.account, Support.AGAINST)
    head = gov.w3.eth.block_number

    # then the indexer stays up and reaches the head, later events included
    async def caught_up() -> bool:
        return await indexed_block(mirror) >= head

    await wait_for(caught_up, seconds=60, what="the indexer to reach the head")
    assert processes[0].poll() is None, (tmp_path / "ix.log").read_text()
    assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == len(HOSTILE) + 1

    # and the mirror keeps every string's very bytes
    kept = {
        bytes(r["description_raw"]): bytes(r["description_hash"])
        for r in await mirror.fetch("SELECT description_raw, description_hash FROM chain_proposals")
    }
    assert kept == {raw: keccak(raw) for raw in HOSTILE.values()}
    reasons = await mirror.fetch("SELECT reason_raw FROM chain_votes WHERE support = 1")
    assert sorted(bytes(r["reason_raw"]) for r in reasons) == sorted(HOSTILE.values())

    # and the API shows each description safely, capped, with the hash `execute` takes
    page = (await alice.data(GOVERNANCE, {"name": name, "first": 10}))["community"]["governance"]
    assert len(page["proposals"]["edges"]) == len(HOSTILE)
    ids = {
        decode_proposal_id(e["node"]["id"])[1]: e["node"]["id"] for e in page["proposals"]["edges"]
    }
    shown = {}
    for what, proposal_id in proposals.items():
        proposal = (await alice.data(PROPOSAL, {"id": ids[proposal_id]}))["proposal"]
        assert shown_safely(proposal["description"], DESCRIPTION_CHARS), what
        assert proposal["descriptionHash"] == "0x" + keccak(HOSTILE[what]).hex()
        assert community.governor.functions.hashProposal(
            proposal["targets"],
            [int(value) for value in proposal["values"]],
            proposal["calldatas"],
            proposal["descriptionHash"],
        ).call() == int(proposal["proposalId"])
        shown[what] = proposal["description"]
    assert shown["nul"] == "poisonpill"
    assert shown["not utf-8"] == "caf\ufffd \ufffd\ufffd\ufffd bytes"
    assert shown["100 kb"] == "x" * (DESCRIPTION_CHARS - 1) + "…"
    assert shown["bidi"] == "Vote for gnp.exe ok here"
    assert shown["controls"] == "bell escape[31m tab\tline\nend\n"

    # and every reason safely, capped
    proposal = (await alice.data(PROPOSAL, {"id": ids[target]}))["proposal"]
    votes = [e["node"] for e in proposal["votes"]["edges"]]
    assert votes[0]["support"] == "AGAINST"  # newest first: alice's, after them all
    by_voter = {v["voter"]["address"]: v["reason"] for v in votes}
    for stranger, what in zip(strangers, HOSTILE, strict=True):
        reason = by_voter[stranger.address]
        assert shown_safely(reason, REASON_CHARS), what
    assert by_voter[strangers[0].address] == "poisonpill"
    assert by_voter[strangers[2].address] == "x" * (REASON_CHARS - 1) + "…"
    assert by_voter[strangers[3].address] == "Vote for gnp.exe ok here"
    assert proposal["forVotes"] == "0"  # weight 0, all of them


async def test_a_stopped_indexer_shows_a_growing_lag(
    gov: Governance,
    mirror: asyncpg.Connection,
    index_settings: Settings,
    database_url: str,
    redis_url: str,
    alice: Client,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # given `agora index` at the chain's head
    indexer = start_indexer(indexer_env(index_settings, database_url, redis_url), tmp_path / "l")
    processes.append(indexer)
    head = gov.w3.eth.block_number

    async def caught_up() -> bool:
        return await indexed_block(mirror) >= head

    await wait_for(caught_up, what="the indexer to reach the head")

    async def status() -> dict[str, int]:
        indexer: dict[str, int] = (await alice.data(INDEXER))["indexer"]
        return indexer

    async def no_lag() -> bool:
        return (await status())["lagBlocks"] == 0

    await wait_for(no_lag, what="no lag")  # (a shared answer may be a moment old)
    # when it is killed, and the chain moves on by 10 blocks, then 10 more
    os.kill(indexer.pid, signal.SIGKILL)
    indexer.wait()
    for moved in (10, 20):
        gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(10)])

        # then the API reports the mirror behind by as many blocks as the chain moved
        async def behind(moved: int = moved) -> dict[str, int] | None:
            answer = await status()
            return answer if answer["lagBlocks"] >= moved else None

        answer = await wait_for(behind, what=f"a lag of {moved} blocks")
        assert answer["indexedBlock"] == head
        assert answer["chainHead"] == head + moved
        assert answer["lagBlocks"] == moved


async def test_with_the_node_hung_the_indexer_status_answers_within_seconds(
    settings: Settings,
    mirror_database_url: str,
    redis_url: str,
    deployment_file: Path,
    http: httpx.AsyncClient,
) -> None:
    # given a node that takes connections and never answers
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        node = f"http://127.0.0.1:{hung.getsockname()[1]}"
        server = start_server(
            settings,
            database_url=mirror_database_url,
            redis_url=redis_url,
            chain_rpc_url=node,
            deployment_file=deployment_file,
        )
        try:
            # when someone asks where the indexer is
            started = time.monotonic()
            status = (await Client(server.graphql_url, http).data(INDEXER))["indexer"]
            # then the answer comes after the 2 s the API waits for the node, without its head
            assert time.monotonic() - started < 4.5
            assert status["chainHead"] is None
        finally:
            server.stop()
