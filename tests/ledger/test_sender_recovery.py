"""The operator's sender when a transaction does not get mined: stuck underpriced, dropped by the
node, replaced with higher fees (and killed in the middle of it), or an intent that raises.

Whatever happens, each intent is mined exactly once and the operator's nonce has no gap. The
chain is a real anvil whose mining the tests hold (`evm_setAutomine false`), whose base fee they
raise and whose pool they empty; the sender is a real `agora send` process, killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
from web3 import Web3
from web3.types import RPCEndpoint

from governance.deploy import Deployment
from governance.operator import create_community_onchain
from tests.ledger import test_sender
from tests.ledger.test_sender import (
    CREATOR,
    RECIPIENTS,
    balances,
    mint_events,
    operator_nonce,
    outbox,
    payouts_of,
    record_community,
    record_mint,
    token_of,
    wait_until_settled,
)
from tests.support.factories import unique_name
from tests.support.sender import SenderProcess

pytestmark = pytest.mark.chain

# The outbox's connection and the `agora send` processes, as the sender's other tests have them.
db = test_sender.db
senders = test_sender.senders


def node(w3: Web3, method: str, *params: Any) -> Any:
    response = w3.provider.make_request(RPCEndpoint(method), list(params))
    assert "error" not in response, response
    return response.get("result")


@pytest.fixture
def mining(w3: Web3) -> Iterator[Any]:
    """The chain's mining, held by the test (`mining.hold()`), resumed when it ends, and its base
    fee as it was (a snapshot's revert does not restore it)."""
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]

    class Mining:
        def hold(self) -> None:
            node(w3, "evm_setAutomine", False)

        def resume(self) -> None:
            node(w3, "evm_setAutomine", True)
            node(w3, "evm_mine")

    control = Mining()
    yield control
    node(w3, "evm_setAutomine", True)
    node(w3, "anvil_setNextBlockBaseFeePerGas", hex(base_fee))


async def until(check: Any, sender: SenderProcess, within: float = 30) -> Any:
    """The first truthy result of the coroutine `check()`."""
    deadline = time.monotonic() + within
    while not (result := await check()):
        assert time.monotonic() < deadline, f"never happened:\n{sender.log()}"
        await asyncio.sleep(0.05)
    return result


async def sent(db: asyncpg.Connection, dedupe_key: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM operator_transactions WHERE dedupe_key = $1 AND status = 'sent'",
        dedupe_key,
    )


def in_pool(w3: Web3, tx_hash: bytes) -> bool:
    return node(w3, "eth_getTransactionByHash", "0x" + tx_hash.hex()) is not None


async def pooled(w3: Web3, tx_hash: bytes) -> bool:
    return in_pool(w3, tx_hash)


async def test_a_transaction_stuck_underpriced_is_replaced_with_higher_fees_and_mined_once(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, mining: Any
) -> None:
    # given a sender whose community's transaction waits in the node's pool, unmined
    name = unique_name("stuck")
    await record_community(db, 1, name)
    before = operator_nonce(w3, deployment)
    mining.hold()
    sender = senders(SENDER_REPLACE_AFTER_SECONDS="2")
    first = await until(lambda: sent(db, "create_community:1"), sender)
    # when the base fee rises a hundredfold before it is mined, so the node drops it as
    # underpriced and refuses it again at its fees
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    node(w3, "anvil_setNextBlockBaseFeePerGas", hex(base_fee * 100))
    node(w3, "evm_mine")
    assert not in_pool(w3, bytes(first["tx_hash"]))
    # then, once it is due, the sender replaces it: same nonce, fees up to what the chain asks
    sender.wait_for_log("replacing it with")
    bumped = await sent(db, "create_community:1")
    assert bumped is not None and bumped["nonce"] == first["nonce"] == before
    assert bumped["tx_hash"] != first["tx_hash"]
    assert bytes(first["tx_hash"]) in [bytes(h) for h in bumped["replaced_tx_hashes"]]
    # when blocks are mined again
    mining.resume()
    await wait_until_settled(db, sender)
    # then the community was created once, by the replacement, at the recorded nonce
    [created] = await outbox(db)
    assert created["status"] == "mined", sender.log()
    assert created["tx_hash"] != first["tx_hash"]
    mined = w3.eth.get_transaction(created["tx_hash"])
    assert mined["nonce"] == before
    assert w3.eth.get_transaction_receipt(created["tx_hash"])["status"] == 1
    # with each fee at least 10% above the first's, as a node requires of a replacement
    signed = TypedTransaction.from_bytes(HexBytes(first["signed_tx"])).as_dict()
    for fee in ("maxFeePerGas", "maxPriorityFeePerGas"):
        assert mined[fee] * 10 >= signed[fee] * 11, fee
    assert mined["maxFeePerGas"] >= base_fee * 100
    assert operator_nonce(w3, deployment) == before + 1
    assert created["result"]["token"] == token_of(w3, deployment, name).address


async def test_a_transaction_the_node_dropped_is_broadcast_again_the_same_bytes(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, mining: Any
) -> None:
    # given a community on-chain, and its epoch's mint waiting in the node's pool
    name = unique_name("dropped")
    await record_community(db, 1, name)
    sender = senders()
    await wait_until_settled(db, sender)
    before = operator_nonce(w3, deployment)
    mining.hold()
    await record_mint(db, 1, 1, payouts_of(1))
    minting = await until(lambda: sent(db, "mint_epoch:1:1"), sender)
    await until(lambda: pooled(w3, bytes(minting["tx_hash"])), sender)
    # when the node drops it from its pool
    node(w3, "anvil_dropTransaction", "0x" + bytes(minting["tx_hash"]).hex())
    # then the sender sees it gone and broadcasts the same signed bytes again
    sender.wait_for_log("broadcasting 0x" + bytes(minting["tx_hash"]).hex() + " again")
    # (the line is logged just before the bytes are sent)
    assert await until(lambda: pooled(w3, bytes(minting["tx_hash"])), sender, within=10)
    # when blocks are mined again
    mining.resume()
    await wait_until_settled(db, sender)
    # then the epoch was minted once, by the transaction recorded first, nothing replaced
    _, minted = await outbox(db)
    assert minted["status"] == "mined" and minted["tx_hash"] == minting["tx_hash"]
    assert minted["replaced_tx_hashes"] == []
    assert operator_nonce(w3, deployment) == before + 1
    token = token_of(w3, deployment, name)
    assert balances(token) == payouts_of(1)
    assert len(mint_events(w3, token, deployment)) == 1


@pytest.mark.parametrize("meanwhile", ["the replaced one is mined", "the node drops both"])
async def test_killed_after_recording_a_replacement_before_broadcasting_it_the_epoch_is_minted_once(
    meanwhile: str,
    db: asyncpg.Connection,
    senders: Any,
    w3: Web3,
    deployment: Deployment,
    mining: Any,
) -> None:
    # given a community on-chain and its epoch's mint waiting in the node's pool
    name = unique_name("bumped")
    await record_community(db, 1, name)
    creator = senders()
    await wait_until_settled(db, creator)
    creator.kill()
    before = operator_nonce(w3, deployment)
    mining.hold()
    await record_mint(db, 1, 1, payouts_of(1))
    # when a sender, the mint not mined in time, records its replacement and is killed before
    # broadcasting it
    sender = senders(SENDER_REPLACE_AFTER_SECONDS="1", SENDER_PAUSE_AFTER="bumped")
    sender.wait_for_log("paused after the transaction was bumped")
    sender.kill()
    [_, recorded] = await outbox(db)
    [old] = [bytes(h) for h in recorded["replaced_tx_hashes"]]
    assert recorded["status"] == "sent" and recorded["nonce"] == before
    assert in_pool(w3, old) and not in_pool(w3, bytes(recorded["tx_hash"]))
    # and meanwhile the node mines the old one, or forgets both
    if meanwhile == "the replaced one is mined":
        mining.resume()
    else:
        node(w3, "anvil_dropAllTransactions")
        mining.resume()
    # when a sender runs again
    last = senders()
    await wait_until_settled(db, last)
    # then the epoch was minted once, at the recorded nonce, by the transaction the chain has
    [_, minted] = await outbox(db)
    assert minted["status"] == "mined", last.log()
    expected = old if meanwhile == "the replaced one is mined" else bytes(recorded["tx_hash"])
    assert bytes(minted["tx_hash"]) == expected
    assert "alreadyDone" not in minted["result"]
    assert w3.eth.get_transaction(minted["tx_hash"])["nonce"] == before
    assert operator_nonce(w3, deployment) == before + 1
    token = token_of(w3, deployment, name)
    [event] = mint_events(w3, token, deployment)
    assert bytes(event["transactionHash"]) == expected
    assert balances(token) == payouts_of(1)


async def test_an_intent_that_raises_backs_off_with_its_error_and_the_next_ones_go_on(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given a community, an epoch whose amount no uint256 holds (a bug upstream), then a good one
    name = unique_name("raises")
    await record_community(db, 1, name)
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload)"
        " VALUES ('mint_epoch', 'mint_epoch:1:1', $1)",
        {"communityId": 1, "epoch": 1, "recipients": RECIPIENTS[:1], "amounts": [str(2**256)]},
    )
    await record_mint(db, 1, 2, payouts_of(2))
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    sender.wait_for_log("mint_epoch:1:1 could not be taken a step", count=2)
    # then the others are mined, one nonce each
    created, broken, good = await outbox(db)
    assert [created["status"], good["status"]] == ["mined", "mined"], sender.log()
    assert operator_nonce(w3, deployment) == before + 2
    assert balances(token_of(w3, deployment, name)) == payouts_of(2)
    # and the broken one waits, pending, its error and attempts on its row, nothing sent
    assert broken["status"] == "pending" and broken["tx_hash"] is None
    assert broken["attempts"] >= 2 and "MismatchedABI" in broken["error"]
    # backing off: tried again after 1 s, then 2 s, not in a tight loop
    assert sender.log().count("mint_epoch:1:1 could not be taken a step") <= 3


async def test_a_community_another_tool_created_is_found_on_chain_not_created_twice(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, operator_key: str
) -> None:
    # given a community created on-chain by another tool, with the same name and creator
    name = unique_name("found")
    creation = create_community_onchain(w3, deployment, operator_key, name, CREATOR)
    await record_community(db, 1, name)
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    await wait_until_settled(db, sender)
    # then its creation reverts in the estimate, and the chain shows it done: nothing is sent
    [created] = await outbox(db)
    assert created["status"] == "mined" and created["result"]["alreadyDone"] is True
    assert created["result"]["token"] == token_of(w3, deployment, name).address
    assert operator_nonce(w3, deployment) == before
    assert "0x" + bytes(created["tx_hash"]).hex() == creation["txHash"]


async def test_a_sent_intent_that_raises_holds_back_the_next_ones_since_its_nonce_comes_first(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given an intent recorded as sent at the operator's next nonce, which the sender cannot
    # read back (its payload lost its name), then a good one
    before = operator_nonce(w3, deployment)
    await db.execute(
        "INSERT INTO operator_transactions (kind, dedupe_key, payload, status, nonce, tx_hash)"
        " VALUES ('create_community', 'create_community:1', $1, 'sent', $2, $3)",
        {"communityId": 1, "creator": CREATOR.lower()},
        before,
        bytes(32),
    )
    await record_community(db, 2, unique_name("held"))
    # when the sender runs
    sender = senders()
    sender.wait_for_log("create_community:1 could not be taken a step", count=2)
    # then the error is on its row, and it is tried again, backing off
    broken, held = await outbox(db)
    assert broken["status"] == "sent" and broken["attempts"] >= 2
    assert "can no longer be read" in broken["error"]
    # and nothing is signed after it: its nonce would have to be mined first
    assert held["status"] == "pending" and held["nonce"] is None
    assert operator_nonce(w3, deployment) == before
    assert "create_community:2" not in sender.log()


async def test_killed_at_random_while_held_dropped_and_replaced_each_epoch_is_minted_once(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, mining: Any
) -> None:
    # given a community on-chain and six epochs recorded
    name = unique_name("chaos")
    await record_community(db, 1, name)
    creator = senders()
    await wait_until_settled(db, creator)
    creator.kill()
    epochs = range(1, 7)
    for epoch in epochs:
        await record_mint(db, 1, epoch, payouts_of(epoch))
    before = operator_nonce(w3, deployment)
    # when senders that replace what is not mined within half a second are killed at random
    # instants, while the chain mines a block now and then or drops its whole pool
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    mining.hold()
    for _ in range(6):
        sender = senders(SENDER_REPLACE_AFTER_SECONDS="0.5")
        sender.wait_for_log("sending the transactions of the operator")
        await asyncio.sleep(chance.uniform(0, 1.5))
        meanwhile = chance.choice(["mine", "drop", "nothing"])
        if meanwhile == "mine":
            node(w3, "evm_mine")
        elif meanwhile == "drop":
            node(w3, "anvil_dropAllTransactions")
        sender.kill()
    # and a last one runs to the end, blocks mined again
    mining.resume()
    last = senders()
    await wait_until_settled(db, last)
    # then each epoch was minted once, one nonce each, none skipped
    rows = (await outbox(db))[1:]
    assert [row["status"] for row in rows] == ["mined"] * 6, f"seed {seed}: {last.log()}"
    assert operator_nonce(w3, deployment) == before + 6, f"seed {seed}"
    nonces = sorted(w3.eth.get_transaction(row["tx_hash"])["nonce"] for row in rows)
    assert nonces == list(range(before, before + 6)), f"seed {seed}"
    token = token_of(w3, deployment, name)
    events = mint_events(w3, token, deployment)
    assert sorted(event["args"]["epochId"] for event in events) == list(epochs), f"seed {seed}"
    assert {bytes(e["transactionHash"]) for e in events} == {bytes(r["tx_hash"]) for r in rows}
    # and the chain's minted total is the outbox's, to the unit
    assert balances(token) == {a: sum(payouts_of(e)[a] for e in epochs) for a in RECIPIENTS}


async def test_an_operator_out_of_funds_waits_and_its_intent_is_mined_once_when_topped_up(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given an operator whose balance cannot pay for gas
    operator = deployment["operator"]
    balance = w3.eth.get_balance(operator)
    node(w3, "anvil_setBalance", operator, "0x0")
    name = unique_name("broke")
    await record_community(db, 1, name)
    before = operator_nonce(w3, deployment)
    # when the sender runs
    sender = senders()
    sender.wait_for_log("Insufficient funds", count=2)
    # then its transaction is recorded, refused by the node, and the intent not failed
    [waiting] = await outbox(db)
    assert waiting["status"] == "sent" and waiting["nonce"] == before
    assert operator_nonce(w3, deployment) == before
    # when the operator is topped up
    node(w3, "anvil_setBalance", operator, hex(balance))
    await wait_until_settled(db, sender)
    # then the recorded transaction is mined, once
    [created] = await outbox(db)
    assert created["status"] == "mined" and created["tx_hash"] == waiting["tx_hash"]
    assert operator_nonce(w3, deployment) == before + 1
    assert created["result"]["token"] == token_of(w3, deployment, name).address


async def test_an_epoch_waits_for_its_community_whose_creation_backs_off_after_a_node_error(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment
) -> None:
    # given blocks that hold less gas than a community's creation needs (the node refuses its
    # estimate, an error that is no revert), and a community and its epoch recorded
    gas_limit = w3.eth.get_block("latest")["gasLimit"]
    node(w3, "anvil_setBlockGasLimit", hex(100_000))
    node(w3, "evm_mine")
    name = unique_name("waits")
    try:
        await record_community(db, 1, name)
        await record_mint(db, 1, 1, payouts_of(1))
        before = operator_nonce(w3, deployment)
        # when the sender runs
        sender = senders()
        sender.wait_for_log("create_community:1 could not be taken a step", count=2)
        # then the creation backs off, the node's error on its row, nothing sent
        creating, minting = await outbox(db)
        assert creating["status"] == "pending" and creating["attempts"] >= 2
        assert "gas required exceeds allowance" in creating["error"]
        # and the epoch, stepped to meanwhile, waits for it rather than failing
        assert minting["status"] == "pending"
        assert minting["error"] == "waiting for the creation of community 1"
        assert operator_nonce(w3, deployment) == before
    finally:
        # when blocks hold enough gas again
        node(w3, "anvil_setBlockGasLimit", hex(gas_limit))
        node(w3, "evm_mine")
    await wait_until_settled(db, sender)
    # then the community and its epoch are mined, once each
    created, minted = await outbox(db)
    assert [created["status"], minted["status"]] == ["mined", "mined"], sender.log()
    assert operator_nonce(w3, deployment) == before + 2
    assert balances(token_of(w3, deployment, name)) == payouts_of(1)


async def test_a_transaction_offering_what_the_chain_asks_is_not_replaced_past_the_tip_ceiling(
    db: asyncpg.Connection, senders: Any, w3: Web3, deployment: Deployment, mining: Any
) -> None:
    # given a community's transaction that offers what the chain asks, but is not mined (blocks
    # held: a busy chain), and a sender that replaces what is not mined within 0.2 s
    name = unique_name("ceiling")
    await record_community(db, 1, name)
    before = operator_nonce(w3, deployment)
    mining.hold()
    sender = senders(SENDER_REPLACE_AFTER_SECONDS="0.2")
    # when it has been replaced time and again
    sender.wait_for_log("not replaced, as its fees would pass 3 times the chain's tip")
    # then its tip rose by 10% a time up to three times the chain's, and no further
    [waiting] = await outbox(db)
    tip = TypedTransaction.from_bytes(HexBytes(waiting["signed_tx"])).as_dict()
    asked = w3.eth.max_priority_fee
    assert asked < tip["maxPriorityFeePerGas"] <= 3 * asked
    assert tip["maxPriorityFeePerGas"] * 11 > 3 * asked * 10
    replaced = len(waiting["replaced_tx_hashes"])
    assert replaced == sender.log().count("replacing it with") >= 11
    await asyncio.sleep(1)
    assert sender.log().count("replacing it with") == replaced
    # when blocks are mined again
    mining.resume()
    await wait_until_settled(db, sender)
    # then the last one is mined, once
    [created] = await outbox(db)
    assert created["status"] == "mined" and created["tx_hash"] == waiting["tx_hash"]
    assert operator_nonce(w3, deployment) == before + 1
