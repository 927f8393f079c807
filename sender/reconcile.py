"""Reconcile a sent intent with the chain (after a restart, or while its transaction waits):
a receipt of any of its hashes settles it; a transaction the node holds is waited for, and
replaced when due; one the node dropped is broadcast again, the same bytes, while its nonce is
unused; a nonce another transaction took sends the intent back to pending."""

from __future__ import annotations

import asyncio

import asyncpg

from agora.service import BACKOFF_CAP_SECONDS
from governance.intents import Intent
from sender.broadcast import RECEIPT_WAIT_SECONDS, Broadcaster
from sender.operator import Operator, hex_or_dash, log, queries
from sender.replace import Replacer


class Reconciler:
    def __init__(self, operator: Operator, broadcaster: Broadcaster, replacer: Replacer) -> None:
        self.op = operator
        self.broadcaster = broadcaster
        self.replacer = replacer

    async def resolve(self, row: asyncpg.Record, intent: Intent) -> None:
        """Settles a sent intent from what the chain knows of its transactions: the current one
        and those it replaced (any of them may be the one mined)."""
        op, broadcaster = self.op, self.broadcaster
        tx_hash, nonce = bytes(row["tx_hash"]), int(row["nonce"])
        hashes = [tx_hash, *(bytes(each) for each in reversed(row["replaced_tx_hashes"]))]
        if await broadcaster.settle_if_mined(row, intent, hashes):
            return
        used = await op.read(lambda: op.w3.eth.get_transaction_count(op.address, "latest"))
        if used > nonce:
            # Mined between the two reads?
            if await broadcaster.settle_if_mined(row, intent, hashes):
                return
            # Replaced by a transaction not recorded here (another tool with the operator's
            # key): which the chain says, through step 1 (done already, or sent anew).
            message = (
                f"nonce {nonce} went to another transaction, so {hex_or_dash(tx_hash)} can never "
                "be mined; sending again"
            )
            log.warning("%s: %s", row["dedupe_key"], message)
            await op.db.execute(queries.requeue, row["id"], message)
            return
        if row["signed_tx"] is None:  # recorded by hand, or by an older sender: sign it anew
            await op.db.execute(queries.requeue, row["id"], "sent without its signed bytes")
            return
        # The nonce is unused: the transaction is in the node's pool, or was dropped.
        left = op.settings.sender_replace_after_seconds - float(row["signed_seconds_ago"] or 0)
        if left <= 0:
            fields = await self.replacer.replacement(row)
            if fields is not None:
                await self.replacer.bump(row, intent, fields)
                return
            # At the ceiling: waited for, or broadcast again if dropped, as it stands.
            left = RECEIPT_WAIT_SECONDS
        if await op.read(lambda: broadcaster.known(tx_hash)):
            await broadcaster.await_receipt(row, intent, hashes, left)
            return
        # Dropped (or, killed after recording it, never broadcast): the same bytes again, so
        # the nonce still has only the hashes recorded. If the pool holds a transaction of
        # ours it replaced, this one's higher fees take its place.
        log.info("%s: broadcasting %s again", row["dedupe_key"], hex_or_dash(tx_hash))
        if await broadcaster.broadcast(bytes(row["signed_tx"])):
            await broadcaster.await_receipt(row, intent, hashes, left)
        else:
            await asyncio.sleep(min(BACKOFF_CAP_SECONDS, left))
