"""Replace stuck transactions: one not mined SENDER_REPLACE_AFTER_SECONDS after it was signed
is replaced by the same call at the same nonce with higher fees, recorded before it is
broadcast, the old hash kept (either may be the one mined)."""

from __future__ import annotations

from typing import Any

import asyncpg
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes

from governance.intents import Intent
from sender.broadcast import Broadcaster
from sender.operator import Operator, hex_or_dash, log, queries

# A node replaces a pooled transaction only by one whose fees are each at least 10% higher.
FEE_BUMP = (11, 10)
# A transaction that already offers what the chain asks now, yet is not mined (a busy chain), is
# replaced only while its tip (or legacy gas price) stays within this many times the chain's:
# bumps every few minutes would otherwise raise it without end. One offering less is replaced
# whatever it takes: the chain asks that much.
TIP_CEILING = 3
_FEES = ("maxFeePerGas", "maxPriorityFeePerGas", "gasPrice")

# A transaction's fields as eth-account reads and signs them (ints, bytes and lists by name).
TransactionFields = dict[str, Any]


def _raised(fee: int) -> int:
    """`fee` raised by FEE_BUMP, rounded up, and by one wei at least."""
    return max(-(-fee * FEE_BUMP[0] // FEE_BUMP[1]), fee + 1)


class Replacer:
    def __init__(self, operator: Operator, broadcaster: Broadcaster) -> None:
        self.op = operator
        self.broadcaster = broadcaster
        # Hashes already said to be at the fee ceiling: said once per transaction.
        self.ceiling: set[bytes] = set()

    async def replacement(self, row: asyncpg.Record) -> TransactionFields | None:
        """The sent transaction's fields with fees at least 10% higher (what nodes require to
        replace it) and at least what the chain asks now; None if it offers what the chain asks
        already and a replacement would pass `TIP_CEILING`."""
        w3 = self.op.w3
        fields = {
            name: value
            for name, value in TypedTransaction.from_bytes(HexBytes(row["signed_tx"]))
            .as_dict()
            .items()
            if name not in ("v", "r", "s")
        }
        if "maxFeePerGas" in fields:  # EIP-1559, what `sign_call` signs where the chain has it
            tip, base_fee = await self.op.read(
                lambda: (
                    int(w3.eth.max_priority_fee),
                    int(w3.eth.get_block("latest").get("baseFeePerGas", 0)),
                )
            )
            offered = fields["maxFeePerGas"] >= 2 * base_fee + tip
            offered = offered and fields["maxPriorityFeePerGas"] >= tip
            fields["maxPriorityFeePerGas"] = max(_raised(fields["maxPriorityFeePerGas"]), tip)
            fields["maxFeePerGas"] = max(
                _raised(fields["maxFeePerGas"]), 2 * base_fee + fields["maxPriorityFeePerGas"]
            )
            over = fields["maxPriorityFeePerGas"] > TIP_CEILING * tip
        else:  # a legacy transaction: one gas price
            price = await self.op.read(lambda: int(w3.eth.gas_price))
            offered = fields["gasPrice"] >= price
            fields["gasPrice"] = max(_raised(fields["gasPrice"]), price)
            over = fields["gasPrice"] > TIP_CEILING * price
        if offered and over:
            if bytes(row["tx_hash"]) not in self.ceiling:
                self.ceiling.add(bytes(row["tx_hash"]))
                log.warning(
                    "%s: %s offers what the chain asks and is not mined; not replaced, as its "
                    "fees would pass %d times the chain's tip",
                    row["dedupe_key"],
                    hex_or_dash(bytes(row["tx_hash"])),
                    TIP_CEILING,
                )
            return None
        return fields

    async def bump(self, row: asyncpg.Record, intent: Intent, fields: TransactionFields) -> None:
        """Replaces the sent transaction, not mined in time, by `fields` (`replacement`),
        recorded before it is broadcast."""
        op = self.op
        old_hash = bytes(row["tx_hash"])
        signed = Account.sign_transaction(fields, op.key)
        new_hash = bytes(signed.hash)
        status = await op.db.execute(
            queries.mark_bumped, row["id"], old_hash, new_hash, bytes(signed.raw_transaction)
        )
        if status != "UPDATE 1":
            raise RuntimeError(f"intent {row['id']} changed under the sender")
        log.info(
            "%s: %s not mined after %g s; replacing it with %s (nonce %d, fees %s)",
            row["dedupe_key"],
            hex_or_dash(old_hash),
            op.settings.sender_replace_after_seconds,
            hex_or_dash(new_hash),
            int(row["nonce"]),
            {name: fields[name] for name in _FEES if name in fields},
        )
        await op.pause("bumped")
        hashes = [new_hash, old_hash, *(bytes(h) for h in reversed(row["replaced_tx_hashes"]))]
        if await self.broadcaster.broadcast(bytes(signed.raw_transaction)):
            await self.broadcaster.await_receipt(
                row, intent, hashes, op.settings.sender_replace_after_seconds
            )
