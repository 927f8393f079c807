"""Sign and broadcast: a pending intent's call estimated, signed at the next nonce, recorded,
broadcast, and its receipt waited for and recorded (mined, failed, or done by another
transaction)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
from hexbytes import HexBytes
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from agora.chain import TransactionReverted, gas_limit, revert_reason, sign_call
from governance.intents import Done, Intent
from sender.operator import Operator, hex_or_dash, log, queries

# How long one wait for a receipt lasts before the sender reads the chain again (a transaction
# dropped by the node is then broadcast again).
RECEIPT_WAIT_SECONDS = 5.0
RECEIPT_POLL_SECONDS = 0.1


class Broadcaster:
    def __init__(self, operator: Operator) -> None:
        self.op = operator
        # Hashes already said to be waiting: said once per transaction.
        self.waiting: set[bytes] = set()

    async def send(self, row: asyncpg.Record, intent: Intent) -> None:
        """Takes a pending intent on-chain: done already, failed, or signed, recorded as sent,
        broadcast and waited for a while."""
        op = self.op
        call = intent.call(op.w3, op.deployment)
        try:
            gas = await op.read(lambda: gas_limit(call, op.address, headroom=intent.gas_headroom()))
        except TransactionReverted as reverted:
            done = await op.read(lambda: intent.done_on_chain(op.w3, op.deployment))
            if done is not None:
                await self.done_already(row, done, reverted.error)
            else:
                await self.fail(row, reverted.error, None)
            return
        # No other intent is sent (see `next_unsettled`): the pending nonce is the next free one.
        nonce = await op.read(lambda: op.w3.eth.get_transaction_count(op.address, "pending"))
        signed = await op.read(lambda: sign_call(op.key, call, nonce=nonce, gas=gas))
        status = await op.db.execute(queries.mark_sent, row["id"], nonce, signed.hash, signed.raw)
        if status != "UPDATE 1":
            raise RuntimeError(f"intent {row['id']} changed under the sender")
        log.info(
            "%s: sending %s (nonce %d)", row["dedupe_key"], hex_or_dash(signed.hash), signed.nonce
        )
        await op.pause("recorded")
        if not await self.broadcast(signed.raw):
            return  # the loop reads the chain again
        await op.pause("broadcast")
        await self.await_receipt(
            row, intent, [signed.hash], op.settings.sender_replace_after_seconds
        )

    async def broadcast(self, raw: bytes) -> bool:
        """Broadcasts `raw`; False when the node refused it (what became of its nonce is read
        from the chain next)."""
        try:
            await self.op.read(lambda: self.op.w3.eth.send_raw_transaction(raw))
        except Web3RPCError as error:
            # "already known" or "nonce too low" (perhaps this very transaction, mined): the
            # chain tells. Anything else (funds, fees) is waited out.
            log.warning("the node refused the transaction: %s", error)
            return False
        return True

    def known(self, tx_hash: bytes) -> bool:
        """Whether the node knows the transaction (pooled or mined)."""
        try:
            self.op.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _receipt(self, tx_hash: bytes) -> TxReceipt | None:
        try:
            return self.op.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        except TransactionNotFound:
            return None

    async def settle_if_mined(
        self, row: asyncpg.Record, intent: Intent, hashes: list[bytes]
    ) -> bool:
        """Settles the intent by whichever of `hashes` (one nonce's transactions) is mined."""
        for tx_hash in hashes:
            receipt = await self.op.read(lambda: self._receipt(tx_hash))  # noqa: B023 (awaited here)
            if receipt is not None:
                await self._settle(row, intent, tx_hash, receipt)
                return True
        return False

    async def await_receipt(
        self, row: asyncpg.Record, intent: Intent, hashes: list[bytes], within: float
    ) -> None:
        # Polled here rather than in web3's wait: a short call at a time, so that stopping the
        # process never waits on a thread. At most RECEIPT_WAIT_SECONDS, so that a dropped
        # transaction is seen soon, and never past the time its replacement is due.
        deadline = time.monotonic() + min(RECEIPT_WAIT_SECONDS, within)
        while time.monotonic() < deadline:
            if await self.settle_if_mined(row, intent, hashes):
                return
            await asyncio.sleep(RECEIPT_POLL_SECONDS)
        if hashes[0] not in self.waiting:
            self.waiting.add(hashes[0])
            log.info(
                "%s: %s is not mined yet; still waiting",
                row["dedupe_key"],
                hex_or_dash(hashes[0]),
            )

    async def _settle(
        self, row: asyncpg.Record, intent: Intent, tx_hash: bytes, receipt: TxReceipt
    ) -> None:
        op = self.op
        block = int(receipt["blockNumber"])
        if receipt["status"] == 1:
            result = intent.result(op.w3, op.deployment, receipt)
            await op.db.execute(queries.mark_mined, row["id"], tx_hash, block, result)
            log.info("%s: mined in block %d (%s)", row["dedupe_key"], block, hex_or_dash(tx_hash))
            return
        reason = await op.read(lambda: revert_reason(op.w3, tx_hash))
        limit = await op.read(lambda: op.w3.eth.get_transaction(HexBytes(tx_hash))["gas"])
        reason = f"{reason} (gas used {receipt['gasUsed']} of {limit})"
        done = await op.read(lambda: intent.done_on_chain(op.w3, op.deployment))
        if done is not None:
            await self.done_already(row, done, reason, own_tx=tx_hash)
        else:
            await self.fail(row, reason, block)

    async def done_already(
        self, row: asyncpg.Record, done: Done, reverted: str, own_tx: bytes | None = None
    ) -> None:
        result = {**done.result, "alreadyDone": True}
        if own_tx is not None:
            result["revertedTx"] = hex_or_dash(own_tx)
        await self.op.db.execute(
            queries.mark_mined, row["id"], done.tx_hash, done.block_number, result
        )
        log.info(
            "%s: done on-chain already by %s (%s)",
            row["dedupe_key"],
            hex_or_dash(done.tx_hash),
            reverted,
        )

    async def fail(self, row: asyncpg.Record, error: str, block: int | None) -> None:
        await self.op.db.execute(queries.mark_failed, row["id"], error, block)
        log.warning("%s: failed: %s", row["dedupe_key"], error)
