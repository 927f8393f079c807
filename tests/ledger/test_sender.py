"""The operator's sender (`agora send`): every intent of the outbox mined exactly once, whatever
stops it, whenever the chain is away, however many senders are started.

The intents are recorded as the API and the ledger record them: a row in `operator_transactions`.
The sender runs as a real process, killed with SIGKILL; the chain is a real anvil.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from web3 import Web3

from agora.services import free_port
from agora.settings import Settings
from api.seed import dev_accounts
from governance import community_id
from governance.deploy import Deployment, contract_at, deployed_contract
from governance.operator import create_community_onchain
from governance.proposals import Support, sign_ballot
from sender import send_pending
from tests.ledger.conftest import ForumOnChain
from tests.support.factories import create_community, unique_name
from tests.support.forwarder import Forwarder
from tests.support.graphql import Client, sign_in
from tests.support.sender import SenderProcess

pytestmark = pytest.mark.chain

CHAIN = "query($n: String!) { community(name: $n) { chain { status tokenAddress } } }"

POINT = 10**18
ACCOUNTS = dev_accounts(4)
CREATOR, RECIPIENTS = ACCOUNTS[0], ACCOUNTS[1:]


@pytest.fixture
async def db(fresh_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(fresh_database_url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    yield conn
    await conn.close()


@pytest.fixture
def senders(
    tmp_path: Path,
    fresh_database_url: str,
    redis_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    w3: Web3,  # the chain goes back to its snapshot after the senders are gone
) -> Iterator[Any]:
    """Starts `agora send` processes on the test's database (each with its own log)."""
    started: list[SenderProcess] = []

    def start(rpc_url: str = chain_rpc_url, **env: str) -> SenderProcess:
        sender = SenderProcess(
            tmp_path / f"send-{len(started)}.log",
            database_url=fresh_database_url,
            redis_url=redis_url,
            chain_rpc_url=rpc_url,
            deployment_file=deployment_file,
            **env,
        )
        started.append(sender)
        return sender

    yield start
    for sender in started:
        sender.kill()


async def record_community(db: asyncpg.Connection, community: int, name: str) -> None:
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload)"
        " VALUES ('create_community', $1, $2)",
        f"create_community:{community}",
        {"communityId": community, "name": name, "creator": CREATOR.lower()},
    )


async def record_mint(
    db: asyncpg.Connection,
    community: int,
    epoch: int,
    payouts: dict[str, int],
    *,
    dedupe_key: str | None = None,
) -> None:
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload)"
        " VALUES ('mint_epoch', $1, $2)",
        dedupe_key or f"mint_epoch:{community}:{epoch}",
        {
            "communityId": community,
            "epoch": epoch,
            "recipients": list(payouts),
            "amounts": [str(amount) for amount in payouts.values()],
        },
    )


async def outbox(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM operator_transactions ORDER BY id")


async def wait_until_settled(db: asyncpg.Connection, sender: SenderProcess) -> None:
    deadline = time.monotonic() + 30
    while await db.fetchval(
        "SELECT count(*) FROM operator_transactions WHERE status IN ('pending', 'sent')"
    ):
        assert time.monotonic() < deadline, f"intents left unsettled:\n{sender.log()}"
        await asyncio.sleep(0.05)


def operator_nonce(w3: Web3, deployment: Deployment) -> int:
    return w3.eth.get_transaction_count(deployment["operator"])


def token_of(w3: Web3, deployment: Deployment, name: str) -> Any:
    registry = deployed_contract(w3, deployment, "registry")
    governor = contract_at(
        w3, "CommunityGovernor", registry.functions.governorOf(community_id(name)).call()
    )
    return contract_at(w3, "CommunityToken", governor.functions.token().call())


def balances(token: Any) -> dict[str, int]:
    return {account: token.functions.balanceOf(account).call() for account in RECIPIENTS}


def payouts_of(epoch: int) -> dict[str, int]:
    # Amounts that no rounding would keep: a unit more than whole points, per recipient.
    return {account: (epoch + i) * POINT + i + 1 for i, account in enumerate(RECIPIENTS)}


def mint_events(w3: Web3, token: Any, deployment: Deployment) -> list[Any]:
    return list(token.events.EpochMinted.get_logs(from_block=deployment["deployBlock"]))


async def test_a_community_and_its_epoch_are_minted_once_and_a_second_mint_is_not_sent(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given a community and an epoch of its points recorded for the operator
    name = unique_name("mint")
    await record_community(db, 1, name)
    await record_mint(db, 1, 7, payouts_of(7))
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    await wait_until_settled(db, sender)
    # then the community is on-chain and its epoch minted: two transactions, both mined
    created, minted = await outbox(db)
    assert [created["status"], minted["status"]] == ["mined", "mined"], sender.log()
    token = token_of(w3, deployment, name)
    assert created["result"]["token"] == token.address
    assert balances(token) == payouts_of(7)
    assert token.functions.epochMinted(7).call()
    assert operator_nonce(w3, deployment) == before + 2
    # and the outbox refuses the same intent twice
    with pytest.raises(asyncpg.UniqueViolationError):
        await record_mint(db, 1, 7, payouts_of(7))
    # when the same epoch is asked for again under another key (a bug upstream)
    await record_mint(db, 1, 7, payouts_of(7), dedupe_key="mint_epoch:1:7:again")
    await wait_until_settled(db, sender)
    # then the chain's state shows it done: nothing is sent, nothing more is minted
    again = (await outbox(db))[-1]
    assert again["status"] == "mined" and again["result"]["alreadyDone"] is True
    assert again["tx_hash"] == minted["tx_hash"]
    assert operator_nonce(w3, deployment) == before + 2
    assert balances(token) == payouts_of(7)


async def test_killed_after_recording_and_after_broadcasting_every_intent_is_mined_once(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given a community and two epochs recorded
    name = unique_name("kill")
    await record_community(db, 1, name)
    await record_mint(db, 1, 1, payouts_of(1))
    await record_mint(db, 1, 2, payouts_of(2))
    before = operator_nonce(w3, deployment)
    # when a sender is killed once it recorded the first transaction, before broadcasting it
    first = senders(SENDER_PAUSE_AFTER="recorded")
    first.wait_for_log("paused after the transaction was recorded")
    first.kill()
    # then the intent is sent with its hash, and the chain has not seen it
    recorded = (await outbox(db))[0]
    assert recorded["status"] == "sent" and recorded["nonce"] == before
    assert operator_nonce(w3, deployment) == before
    # when the next sender is killed after broadcasting, before recording what was mined
    second = senders(SENDER_PAUSE_AFTER="broadcast")
    second.wait_for_log("paused after the transaction was broadcast")
    second.kill()
    # then it had broadcast the first transaction again, the same bytes, and sent the next
    created, epoch_1, epoch_2 = await outbox(db)
    assert created["status"] == "mined" and created["tx_hash"] == recorded["tx_hash"]
    assert epoch_1["status"] == "sent" and epoch_2["status"] == "pending"
    # when a last sender runs
    last = senders()
    await wait_until_settled(db, last)
    # then every intent was mined once: three transactions, the points exactly the epochs'
    assert [row["status"] for row in await outbox(db)] == ["mined"] * 3, last.log()
    assert operator_nonce(w3, deployment) == before + 3
    token = token_of(w3, deployment, name)
    assert balances(token) == {a: payouts_of(1)[a] + payouts_of(2)[a] for a in RECIPIENTS}


async def test_killed_at_random_instants_the_epochs_are_each_minted_exactly_once(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given a community and eight epochs recorded
    name = unique_name("random")
    epochs = range(1, 9)
    await record_community(db, 1, name)
    for epoch in epochs:
        await record_mint(db, 1, epoch, payouts_of(epoch))
    before = operator_nonce(w3, deployment)
    # when senders are killed with SIGKILL at random instants while they send
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    for _ in range(4):
        sender = senders()
        sender.wait_for_log("sending the transactions of the operator")
        await asyncio.sleep(chance.uniform(0, 0.4))
        sender.kill()
    # and a last one runs to the end
    last = senders()
    await wait_until_settled(db, last)
    # then each intent was mined once, by one transaction each: nothing sent twice
    rows = await outbox(db)
    assert [row["status"] for row in rows] == ["mined"] * 9, f"seed {seed}: {last.log()}"
    assert operator_nonce(w3, deployment) == before + 9, f"seed {seed}"
    token = token_of(w3, deployment, name)
    events = mint_events(w3, token, deployment)
    assert sorted(event["args"]["epochId"] for event in events) == list(epochs)
    assert {bytes(e["transactionHash"]) for e in events} == {bytes(r["tx_hash"]) for r in rows[1:]}
    # and every recipient holds exactly what the epochs paid them
    assert balances(token) == {a: sum(payouts_of(e)[a] for e in epochs) for a in RECIPIENTS}


async def test_a_community_created_while_the_chain_is_down_gets_on_chain_when_it_is_back(
    forum_on_chain: Callable[..., ForumOnChain],
    chain_rpc_url: str,
    w3: Web3,
    deployment: Deployment,
) -> None:
    # given a forum whose sender's chain does not answer (its indexer's does)
    node = Forwarder(free_port(), int(chain_rpc_url.rsplit(":", 1)[1]))
    forum = forum_on_chain(f"http://127.0.0.1:{node.port}")
    sender = forum.sender
    try:
        async with httpx.AsyncClient() as http:
            alice = await sign_in(Client(forum.server.graphql_url, http))
            # when alice creates a community
            name = unique_name("down")
            await create_community(alice, name, confirmed=False)
            # then it waits, pending, and the sender says once that the chain is lost
            sender.wait_for_log("is unreachable")
            await asyncio.sleep(2)  # several retries
            chain = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
            assert chain == {"status": "PENDING", "tokenAddress": None}
            assert sender.log().count("is unreachable") == 1
            # when the chain is back
            node.open()
            for _ in range(150):
                chain = (await alice.data(CHAIN, {"n": name}))["community"]["chain"]
                if chain["status"] != "PENDING":
                    break
                await asyncio.sleep(0.1)
    finally:
        node.close()
    # then the community is on-chain, and the sender said once that the chain was back
    assert chain["status"] == "CONFIRMED", sender.log()
    assert chain["tokenAddress"] == token_of(w3, deployment, name).address
    assert sender.log().count("answers again") == 1 and sender.log().count("is unreachable") == 1


async def test_a_second_sender_stands_by_and_takes_over_within_seconds_when_the_first_is_killed(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given a sender at work
    first = senders()
    first.wait_for_log("sending the transactions of the operator")
    nonce_before = operator_nonce(w3, deployment)
    # when a second one starts
    second = senders()
    # then it stands by, and says so
    second.wait_for_log("standing by to take over")
    # and an intent is sent by the first alone
    await record_community(db, 1, unique_name("one"))
    await wait_until_settled(db, first)
    first.wait_for_log("mined in block")  # logged just after the row says so
    assert "mined" not in second.log()
    # when the first is killed (SIGKILL: its lock goes with its connection)
    first.kill()
    killed = time.monotonic()
    # then the second takes over within seconds, and sends what is recorded next
    second.wait_for_log("this one takes over")
    assert time.monotonic() - killed < 5, second.log()
    await record_community(db, 2, unique_name("two"))
    await wait_until_settled(db, second)
    # and nothing was sent twice: one transaction each, and each side said its part once
    rows = await outbox(db)
    assert [row["status"] for row in rows] == ["mined", "mined"]
    assert len({bytes(row["tx_hash"]) for row in rows}) == 2
    assert operator_nonce(w3, deployment) - nonce_before == 2
    assert second.log().count("standing by") == 1 and second.log().count("takes over") == 1
    assert second.log().count(": mined in block") + first.log().count(": mined in block") == 2


async def test_an_intent_the_chain_refuses_fails_with_its_reason_and_the_next_ones_go_on(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given an epoch of a community that is not on-chain, one the token refuses (two recipients,
    # one amount), then a good one
    name = unique_name("refused")
    await record_mint(db, 9, 1, payouts_of(1))
    await record_community(db, 1, name)
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload)"
        " VALUES ('mint_epoch', 'mint_epoch:1:1', $1)",
        {"communityId": 1, "epoch": 1, "recipients": RECIPIENTS[:2], "amounts": ["5"]},
    )
    await record_mint(db, 1, 2, payouts_of(2))
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    await wait_until_settled(db, sender)
    # then the refused intents failed, saying why, without a transaction; the others are mined
    orphan, created, refused, good = await outbox(db)
    assert orphan["status"] == "failed" and "not mined" in orphan["error"]
    assert refused["status"] == "failed" and refused["tx_hash"] is None
    assert refused["error"] == "CommunityTokenLengthMismatch(2, 1)"
    assert [created["status"], good["status"]] == ["mined", "mined"]
    assert operator_nonce(w3, deployment) == before + 2
    assert balances(token_of(w3, deployment, name)) == payouts_of(2)


async def test_a_recorded_transaction_whose_nonce_another_took_is_sent_anew_once(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, operator_key: str
) -> None:
    # given a sender killed once it recorded a community's creation, before broadcasting it
    name = unique_name("taken")
    await record_community(db, 1, name)
    before = operator_nonce(w3, deployment)
    first = senders(SENDER_PAUSE_AFTER="recorded")
    first.wait_for_log("paused after the transaction was recorded")
    first.kill()
    recorded = (await outbox(db))[0]
    # and the operator's key used meanwhile by another tool, which took that nonce
    create_community_onchain(w3, deployment, operator_key, unique_name("other"), CREATOR)
    assert operator_nonce(w3, deployment) == before + 1 and recorded["nonce"] == before
    # when a sender runs again
    last = senders()
    await wait_until_settled(db, last)
    # then the recorded transaction, which can never be mined, was replaced by a new one, once
    [created] = await outbox(db)
    assert created["status"] == "mined" and created["tx_hash"] != recorded["tx_hash"]
    assert "went to another transaction" in last.log()
    assert operator_nonce(w3, deployment) == before + 2
    assert created["result"]["token"] == token_of(w3, deployment, name).address


async def test_a_periodic_task_can_send_what_is_recorded_unless_a_sender_runs(
    db: asyncpg.Connection,
    senders: Any,
    settings: Settings,
    fresh_database_url: str,
    chain_rpc_url: str,
    deployment_file: Path,
    w3: Web3,
    deployment: Deployment,
) -> None:
    # given a community and its epoch recorded
    name = unique_name("task")
    await record_community(db, 1, name)
    await record_mint(db, 1, 3, payouts_of(3))
    task_settings = replace(settings, chain_rpc_url=chain_rpc_url, deployment_file=deployment_file)
    # when a task sends what is pending
    steps = await send_pending(task_settings, fresh_database_url)
    # then both are mined, and the points are the epoch's
    assert steps == 2 and [row["status"] for row in await outbox(db)] == ["mined", "mined"]
    assert balances(token_of(w3, deployment, name)) == payouts_of(3)
    # and while `agora send` runs, a task sends nothing
    senders().wait_for_log("sending the transactions of the operator")
    assert await send_pending(task_settings, fresh_database_url) is None


async def record_ballot(
    db: asyncpg.Connection,
    governor: Any,
    proposal_id: int,
    voter: Any,
    support: int,
    reason: str | None = None,
) -> None:
    """A signed ballot recorded for the operator to relay, as the API's relayVote records it."""
    signature = sign_ballot(governor, proposal_id, support, voter.key.to_0x_hex(), reason=reason)
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload)"
        " VALUES ('cast_vote_by_sig', $1, $2)",
        f"cast_vote_by_sig:{governor.address.lower()}:{proposal_id}:{voter.address.lower()}",
        {
            "governor": governor.address,
            "proposalId": str(proposal_id),
            "support": support,
            "voter": voter.address.lower(),
            "signature": "0x" + signature.hex(),
            "reason": reason,
        },
    )


async def test_signed_ballots_are_relayed_once_and_one_cast_meanwhile_is_not_sent(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, gov: Any
) -> None:
    # given an open proposal of a community where three members hold points
    alice, bob, carol = gov.members(3)
    community = gov.create_community(unique_name("ballots"), creator=alice)
    gov.pay(community, {alice: 50, bob: 30, carol: 20})
    proposal_id = gov.propose(community, gov.election(community, carol), by=alice)
    gov.open_voting(community)
    # and alice's and bob's signed ballots recorded for the operator, bob's with a reason
    await record_ballot(db, community.governor, proposal_id, alice, Support.FOR)
    await record_ballot(db, community.governor, proposal_id, bob, Support.AGAINST, "Not yet")
    # and carol's, though she votes from her wallet before the sender runs
    await record_ballot(db, community.governor, proposal_id, carol, Support.FOR)
    gov.vote(community, proposal_id, carol, Support.ABSTAIN)
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    await wait_until_settled(db, sender)
    # then the two ballots were sent by the operator, each once, and counted as signed
    relayed_alice, relayed_bob, relayed_carol = await outbox(db)
    assert [relayed_alice["status"], relayed_bob["status"]] == ["mined", "mined"], sender.log()
    assert operator_nonce(w3, deployment) == before + 2
    against, for_, abstain = community.governor.functions.proposalVotes(proposal_id).call()
    assert (for_, against, abstain) == (50 * POINT, 30 * POINT, 20 * POINT)
    reasons = community.governor.events.VoteCast.get_logs(
        from_block=deployment["deployBlock"], argument_filters={"voter": bob.address}
    )
    assert [log["args"]["reason"] for log in reasons] == ["Not yet"]
    assert bytes(reasons[0]["transactionHash"]) == bytes(relayed_bob["tx_hash"])
    # and carol's ballot is done by her own vote: the chain shows it, nothing was sent
    assert relayed_carol["status"] == "mined" and relayed_carol["result"]["alreadyDone"] is True
    own = community.governor.events.VoteCast.get_logs(
        from_block=deployment["deployBlock"], argument_filters={"voter": carol.address}
    )
    assert bytes(relayed_carol["tx_hash"]) == bytes(own[0]["transactionHash"])
