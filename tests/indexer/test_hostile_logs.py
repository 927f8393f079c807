"""Logs no API would let through never stop the mirror: a log the indexer cannot decode is
recorded, logged once and skipped; a community name of any characters is kept and made safe.
(Vote reasons and proposal descriptions: tests/api/test_governance_hostile_text.py.)

The platform's contracts never emit one, so the test replaces a governor's code (anvil's
`anvil_setCode`) with a few bytes that emit a `VoteCast` whose data is 5 bytes long: what a bug
or an upgraded contract could emit. The unit-level cases craft raw logs for `events.handle`.
"""

from __future__ import annotations

import logging

import asyncpg
import pytest
from eth_utils import keccak
from web3.types import RPCEndpoint

from governance.deploy import Deployment
from governance.devchain import advance_time, revert_to, snapshot
from governance.operator import POINT
from indexer.events import Rows, handle
from tests.governance.driver import Governance
from tests.indexer.conftest import catch_up, mirror_dump

pytestmark = pytest.mark.chain

VOTE_CAST = keccak(text="VoteCast(address,uint256,uint8,uint256,string)")


def _emitter_of_a_short_vote(voter: str) -> str:
    """Runtime code that emits LOG2(VoteCast, voter) with 5 zero bytes of data, then stops."""
    voter_topic = bytes(12) + bytes.fromhex(voter[2:])
    return (
        "0x7f"
        + voter_topic.hex()  # PUSH32 topic 1
        + "7f"
        + VOTE_CAST.hex()  # PUSH32 topic 0
        + "6005"
        + "6000"  # PUSH1 5 (size), PUSH1 0 (offset)
        + "a2"
        + "00"  # LOG2, STOP
    )


async def test_an_undecodable_log_is_recorded_and_skipped_and_the_mirror_goes_on(
    caplog: pytest.LogCaptureFixture,
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given a community, indexed
    community = gov.create_community()
    voter = gov.member()
    await catch_up(database_url, chain_rpc_url, deployment)
    fork, fork_at = snapshot(gov.w3), gov.w3.eth.block_number
    # and its governor emitting a VoteCast too short to decode
    governor = community.governor.address
    gov.w3.provider.make_request(
        RPCEndpoint("anvil_setCode"), [governor, _emitter_of_a_short_vote(voter.address)]
    )
    receipt = gov.send_calldata(voter, governor, b"")
    # and later, points paid as usual
    gov.pay(community, {voter: 3})

    # when the indexer catches up
    with caplog.at_level(logging.WARNING, logger="agora.indexer"):
        head = await catch_up(database_url, chain_rpc_url, deployment)

    # then the log is recorded as it was, with why, and skipped
    [row] = await mirror.fetch("SELECT * FROM chain_undecodable_logs")
    assert bytes(row["tx_hash"]) == bytes(receipt["transactionHash"])
    assert row["event"] == "CommunityGovernor:VoteCast"
    assert bytes(row["address"]) == bytes.fromhex(governor[2:])
    assert [bytes(t) for t in row["topics"]] == [
        VOTE_CAST,
        bytes(12) + bytes.fromhex(voter.address[2:]),
    ]
    assert bytes(row["data"]) == bytes(5)
    assert row["error"].startswith("ValueError: 5 bytes of data")
    assert await mirror.fetchval("SELECT count(*) FROM chain_votes") == 0
    # and logged once
    warnings = [
        r.getMessage() for r in caplog.records if "chain_undecodable_logs" in r.getMessage()
    ]
    assert len(warnings) == 1 and "CommunityGovernor:VoteCast" in warnings[0]
    # and the mirror went on: the points paid after it are there, and the checkpoint is the head
    balance = await mirror.fetchval(
        "SELECT balance FROM chain_token_balances WHERE holder = $1",
        bytes.fromhex(voter.address[2:]),
    )
    assert balance == 3 * POINT
    assert head == gov.w3.eth.block_number

    # when the block that held it is reorganized away
    revert_to(gov.w3, fork)
    advance_time(gov.w3, 7)
    gov.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(head - fork_at + 2)])
    await catch_up(database_url, chain_rpc_url, deployment)
    # then the record goes with it, as every mirrored row does
    assert await mirror.fetchval("SELECT count(*) FROM chain_undecodable_logs") == 0
    after_reorg = await mirror_dump(mirror)
    await mirror.execute("DELETE FROM chain_indexer_state")  # a clean index gives the same
    await catch_up(database_url, chain_rpc_url, deployment)
    assert await mirror_dump(mirror) == after_reorg


def _raw_vote(data: str, topics: list[str] | None = None) -> dict[str, object]:
    return {
        "address": "0x" + "11" * 20,
        "topics": topics or ["0x" + VOTE_CAST.hex(), "0x" + "00" * 12 + "22" * 20],
        "data": data,
        "blockNumber": "0x10",
        "blockHash": "0x" + "33" * 32,
        "transactionHash": "0x" + "44" * 32,
        "logIndex": "0x2",
        "blockTimestamp": "0x64",
    }


def _words(*values: int) -> str:
    return "".join(value.to_bytes(32, "big").hex() for value in values)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("0x" + _words(1, 1, 0), "too short for its words"),
        ("0x" + _words(1, 1, 0, 2**64), "a string's offset past the end"),
        ("0x" + _words(1, 1, 0, 128, 2**40), "a string's length past the end"),
        ("0xzz", "not hex"),
    ],
)
def test_handle_records_a_log_it_cannot_decode(data: str, why: str) -> None:
    rows = Rows()
    assert handle("CommunityGovernor", _raw_vote(data), rows) is None, why
    assert list(rows.by_table) == ["undecodable_logs"], why
    [row] = rows.by_table["undecodable_logs"]
    assert row[1] == "CommunityGovernor:VoteCast"
    assert row[5:8] == (16, bytes.fromhex("44" * 32), 2)


def test_handle_records_a_log_with_too_few_topics() -> None:
    rows = Rows()
    assert handle("CommunityGovernor", _raw_vote("0x", ["0x" + VOTE_CAST.hex()]), rows) is None
    assert list(rows.by_table) == ["undecodable_logs"]


def test_handle_keeps_a_reason_of_any_bytes() -> None:
    reason = b"\xff\x00\xe2\x80\xae"
    data = "0x" + _words(1, 1, 0, 128, len(reason)) + reason.ljust(32, b"\0").hex()
    rows = Rows()
    assert handle("CommunityGovernor", _raw_vote(data), rows) is not None
    [vote] = rows.by_table["votes"]
    assert vote[5] == "\ufffd" and vote[-1] == reason


async def test_a_community_name_of_any_characters_is_kept_and_made_safe(
    gov: Governance,
    mirror: asyncpg.Connection,
    database_url: str,
    chain_rpc_url: str,
    deployment: Deployment,
) -> None:
    # given a community the operator created with NUL, an override and an escape in its name
    name = "bad\x00name\u202e \x1b[1mbold"
    community = gov.create_community(name)
    # and points paid in it afterwards
    member = gov.member()
    gov.pay(community, {member: 2})

    # when the indexer catches up
    head = await catch_up(database_url, chain_rpc_url, deployment)

    # then it kept the name's bytes, shows it safely, and went on
    row = await mirror.fetchrow(
        "SELECT name, name_raw FROM chain_communities WHERE community_id = $1", community.id
    )
    assert row is not None
    assert (row["name"], bytes(row["name_raw"])) == ("badname [1mbold", name.encode())
    assert head == gov.w3.eth.block_number
    balance = await mirror.fetchval(
        "SELECT balance FROM chain_token_balances WHERE holder = $1",
        bytes.fromhex(member.address[2:]),
    )
    assert balance == 2 * POINT
