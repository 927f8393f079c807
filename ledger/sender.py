"""The one sender of the operator's transactions: `agora send`.

The API and the ledger record what the operator must do on-chain as intents in the outbox
(`operator_transactions`), in the database transaction of the change that needs it. This process
alone sends them, one at a time in id order, and alone uses the operator's nonce: it holds a
PostgreSQL advisory lock for its whole life, so a second sender waits (and says so).

An intent goes pending -> sent -> mined | failed, and each step is recorded before it is taken:

1. pending: the call is built and its gas estimated. If the estimate reverts, the chain's state
   decides: when it shows the intent already done (a community of that name by that creator, an
   epoch already minted, a vote the governor already counts for that voter) the intent is
   mined, with the transaction that did it; otherwise it fails with the decoded revert, and
   nothing was sent.
2. The transaction is signed at the operator's pending nonce, and its nonce, hash and bytes are
   committed as `sent`; only then is it broadcast.
3. Its receipt settles it: mined (the block, and what the receipt says in `result`) or failed
   (the revert, decoded), unless the chain shows the intent done by another transaction.

A transaction not mined SENDER_REPLACE_AFTER_SECONDS after it was signed (underpriced, stuck in
the node's pool, or dropped) is replaced: the same call at the same nonce, each fee raised by at
least 10% (and to at least what the chain asks now), signed and recorded as the intent's hash,
the old one kept in `replaced_tx_hashes`, before it is broadcast (one that offers what the chain
asks already is replaced only up to `TIP_CEILING`). Only one of a nonce's transactions can be
mined, and whichever it is settles the intent.

A crash at any instant leaves an intent pending (nothing was broadcast) or sent with the hashes
its nonce may have. On restart a sent intent is resolved from the chain before anything else
is signed: a receipt of any of its hashes settles it (mined); a transaction the node still
holds is waited for, and replaced when due; one the node does not know (dropped) is broadcast
again, the same bytes, while its nonce is unused; if a transaction not recorded here took the
nonce (replaced by another tool), the recorded ones can never be mined and the intent goes back
to pending, through step 1, where the chain shows whether that transaction did it. So nothing
is sent twice and nothing is lost.

Which failure is final: a revert is (step 1 or 3), unless the chain shows the intent done; a
refusal by the node at broadcast ("nonce too low", "already known", underpriced) is not: the
chain is read again. While the chain (or the database) cannot be reached the sender retries,
backing off up to 5 s, and says so once when it is lost and once when it is back. Any other
error is recorded on the intent (`error`, `attempts`) and the intent backs off, from 1 s up to
a minute, retried until it settles (it may be a bug, fixed by a new release: never a reason to
lose an intent). Meanwhile the intents after it go on if it is pending (it has no nonce, so it
leaves no gap; an epoch waits for its community's creation rather than failing), but not if it
is sent: its nonce comes before any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncpg
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from agora import sql
from agora.chain import TransactionReverted, gas_limit, revert_reason, sign_call
from agora.settings import ANVIL_OPERATOR_KEY, Settings
from governance import operator
from governance.deploy import Deployment, load_deployment

log = logging.getLogger("agora.sender")

queries = sql.load(__file__, "sender.sql")

# Any constant every sender shares: one sender per database ("AGORASND").
LOCK_KEY = 0x4147_4F52_4153_4E44
# The outbox's trigger notifies this channel when an intent is recorded.
CHANNEL = "operator_transactions"
# How long one wait for a receipt lasts before the sender reads the chain again (a transaction
# dropped by the node is then broadcast again).
RECEIPT_WAIT_SECONDS = 5.0
RECEIPT_POLL_SECONDS = 0.1
BACKOFF_START_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
# An intent that raised an unexpected error is tried again after a delay doubling from 1 s up to
# a minute, and stepped over meanwhile when nonce order allows (see `Sender.step`).
INTENT_BACKOFF_START_SECONDS = 1.0
INTENT_BACKOFF_CAP_SECONDS = 60.0
RPC_TIMEOUT_SECONDS = 10.0
# A node replaces a pooled transaction only by one whose fees are each at least 10% higher.
FEE_BUMP = (11, 10)
# A transaction that already offers what the chain asks now, yet is not mined (a busy chain), is
# replaced only while its tip (or legacy gas price) stays within this many times the chain's:
# bumps every few minutes would otherwise raise it without end. One offering less is replaced
# whatever it takes: the chain asks that much.
TIP_CEILING = 3
_FEES = ("maxFeePerGas", "maxPriorityFeePerGas", "gasPrice")

T = TypeVar("T")


class ChainUnreachable(Exception):
    """The chain's node did not answer (refused, timed out, or answered with an HTTP error)."""


class Unsendable(Exception):
    """The intent cannot be sent as it stands; the message says why."""


class NotYet(Exception):
    """The intent waits for another one to be settled first; the message says which."""


@dataclass(slots=True)
class Deferral:
    """An intent backing off after an error: not taken again before `until` (monotonic)."""

    until: float
    delay: float
    sent: bool


@dataclass(frozen=True, slots=True)
class Done:
    """An intent the chain shows done: by which transaction (when known), and what it did."""

    tx_hash: bytes | None
    block_number: int | None
    result: dict[str, Any]


class Operation(Protocol):
    """What the sender needs to know about one kind of intent."""

    def call(self, w3: Web3) -> ContractFunction:
        """The contract call that carries out the intent."""
        ...

    def done_on_chain(self, w3: Web3) -> Done | None:
        """The chain's state says the intent is done already: how; None if it is not."""
        ...

    def result(self, w3: Web3, receipt: TxReceipt) -> dict[str, Any]:
        """What a successful receipt of the call says, kept in the intent's `result`."""
        ...

    def gas_headroom(self) -> int:
        """Gas the call may need beyond its estimate."""
        ...


@dataclass(frozen=True, slots=True)
class CreateCommunity:
    deployment: Deployment
    name: str
    creator: str

    def call(self, w3: Web3) -> ContractFunction:
        return operator.create_community_call(w3, self.deployment, self.name, self.creator)

    def done_on_chain(self, w3: Web3) -> Done | None:
        if not operator.community_exists(w3, self.deployment, self.name):
            return None
        creation = operator.find_community_creation(w3, self.deployment, self.name)
        # A community of that name made by someone else is not this intent done.
        if creation is None or str(creation["creator"]).lower() != self.creator.lower():
            return None
        return Done(
            bytes(HexBytes(creation["txHash"])), int(creation["blockNumber"]), _addresses(creation)
        )

    def gas_headroom(self) -> int:
        return 0

    def result(self, w3: Web3, receipt: TxReceipt) -> dict[str, Any]:
        creation = operator.creation_in_receipt(w3, self.deployment, receipt)
        if creation is None:
            raise RuntimeError("a mined createCommunity without its CommunityCreated event")
        return _addresses(creation)


def _addresses(creation: dict[str, Any]) -> dict[str, Any]:
    return {
        "communityId": creation["communityId"],
        "token": creation["token"],
        "governor": creation["governor"],
    }


@dataclass(frozen=True, slots=True)
class MintEpoch:
    token: str
    epoch_id: int
    recipients: list[str]
    amounts: list[int]
    from_block: int
    # The root of the epoch's published distribution, carried by its EpochMinted event.
    root: bytes

    def call(self, w3: Web3) -> ContractFunction:
        return operator.mint_epoch_call(
            w3, self.token, self.epoch_id, self.recipients, self.amounts, self.root
        )

    def done_on_chain(self, w3: Web3) -> Done | None:
        if not operator.epoch_minted(w3, self.token, self.epoch_id):
            return None
        mint = operator.find_epoch_mint(w3, self.token, self.epoch_id, self.from_block)
        result = {"token": self.token, "epoch": str(self.epoch_id)}
        if mint is None:
            return Done(None, None, result)
        return Done(bytes(HexBytes(mint["txHash"])), int(mint["blockNumber"]), result)

    def gas_headroom(self) -> int:
        return operator.mint_epoch_gas_headroom(len(self.recipients))

    def result(self, w3: Web3, receipt: TxReceipt) -> dict[str, Any]:
        return {"token": self.token, "epoch": str(self.epoch_id), "gasUsed": receipt["gasUsed"]}


@dataclass(frozen=True, slots=True)
class CastVoteBySig:
    """A voter's signed ballot, sent with the operator's gas (the API checked it first)."""

    governor: str
    proposal_id: int
    support: int
    voter: str
    signature: bytes
    reason: str | None
    from_block: int

    def call(self, w3: Web3) -> ContractFunction:
        return operator.cast_vote_by_sig_call(
            w3,
            self.governor,
            self.proposal_id,
            self.support,
            self.voter,
            self.signature,
            reason=self.reason,
        )

    def done_on_chain(self, w3: Web3) -> Done | None:
        # The governor counts one vote per voter: once it has one, this intent is done, by
        # this ballot or by the voter's own vote.
        if not operator.has_voted(w3, self.governor, self.proposal_id, self.voter):
            return None
        vote = operator.find_vote(w3, self.governor, self.proposal_id, self.voter, self.from_block)
        result = {"governor": self.governor, "proposalId": str(self.proposal_id)}
        if vote is None:
            return Done(None, None, result)
        return Done(bytes(HexBytes(vote["txHash"])), int(vote["blockNumber"]), result)

    def gas_headroom(self) -> int:
        return 0

    def result(self, w3: Web3, receipt: TxReceipt) -> dict[str, Any]:
        return {
            "governor": self.governor,
            "proposalId": str(self.proposal_id),
            "gasUsed": receipt["gasUsed"],
        }


class Outage:
    """Backs off (doubling up to a cap) while `what` is lost; logs once when it is lost and
    once when it is back, not once per try."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.since: float | None = None
        self.delay = BACKOFF_START_SECONDS

    async def lost(self, error: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "%s is unreachable (%s); retrying, backing off up to %.0f s",
                self.what,
                error,
                BACKOFF_CAP_SECONDS,
            )
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, BACKOFF_CAP_SECONDS)

    def back(self) -> None:
        if self.since is not None:
            log.info("%s is back after %.1f s", self.what, time.monotonic() - self.since)
        self.since = None
        self.delay = BACKOFF_START_SECONDS


def _hex(value: bytes | None) -> str:
    return "0x" + value.hex() if value is not None else "-"


def _raised(fee: int) -> int:
    """`fee` raised by FEE_BUMP, rounded up, and by one wei at least."""
    return max(-(-fee * FEE_BUMP[0] // FEE_BUMP[1]), fee + 1)


class Sender:
    """Sends the outbox's intents over `db`, a connection holding the sender's lock."""

    def __init__(
        self,
        settings: Settings,
        db: asyncpg.Connection,
        deployment: Deployment,
        rpc_url: str,
        operator_key: str,
    ) -> None:
        self.settings = settings
        self.db = db
        self.deployment = deployment
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}))
        self.key = operator_key
        self.address = ChecksumAddress(Account.from_key(operator_key).address)
        self.chain = Outage(f"the chain at {rpc_url}")
        self.wake = asyncio.Event()
        # Intents backing off after an error, by id (in memory: a restart tries them at once).
        self.deferred: dict[int, Deferral] = {}
        # Hashes already said to be waiting, or at the fee ceiling: said once per transaction.
        self.waiting: set[bytes] = set()
        self.ceiling: set[bytes] = set()

    def notified(self, *args: object) -> None:
        self.wake.set()

    async def run_forever(self) -> None:
        while True:
            # Cleared before the read: an intent recorded after it wakes the wait below.
            self.wake.clear()
            try:
                if not await self.step():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self._idle_seconds())
            except ChainUnreachable as error:
                await self.chain.lost(error)

    def _idle_seconds(self) -> float:
        """How long to wait for a notification: until the next poll, or the first deferral's
        end if sooner."""
        now = time.monotonic()
        ends = [d.until - now for d in self.deferred.values() if d.until > now]
        return min([self.settings.sender_poll_seconds, *ends])

    async def step(self) -> bool:
        """Takes the next intent one step or more; False when there is none to take now.

        Raises `ChainUnreachable` when the chain does not answer (the intent stays where it is
        and is resumed from there), and the database's connection errors (`run` connects
        again). Any other error is recorded on the intent (`error`, `attempts`), which backs
        off (`INTENT_BACKOFF_*`). Meanwhile the intents after it go on if it is pending: it has
        no nonce yet, and the next one signed takes the chain's next nonce, so no gap is left.
        If it is sent, nothing else is signed until it is settled: its nonce comes first, and a
        transaction signed after it could not be mined before it anyway.
        """
        now = time.monotonic()
        if any(d.sent and d.until > now for d in self.deferred.values()):
            return False
        waiting = [id_ for id_, deferral in self.deferred.items() if deferral.until > now]
        row = await self.db.fetchrow(queries.next_unsettled, waiting)
        if row is None:
            return False
        try:
            await self.settle(row)
        except (ChainUnreachable, OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError):
            raise
        except Exception as error:
            await self._defer(row, error)
        else:
            self.deferred.pop(row["id"], None)
            self.chain.back()
        return True

    async def _defer(self, row: asyncpg.Record, error: Exception) -> None:
        previous = self.deferred.get(row["id"])
        delay = (
            min(previous.delay * 2, INTENT_BACKOFF_CAP_SECONDS)
            if previous is not None
            else INTENT_BACKOFF_START_SECONDS
        )
        self.deferred[row["id"]] = Deferral(
            time.monotonic() + delay, delay, sent=row["status"] == "sent"
        )
        message = str(error) if isinstance(error, NotYet) else f"{type(error).__name__}: {error}"
        await self.db.execute(queries.record_error, row["id"], message)
        if isinstance(error, NotYet):
            log.info("%s: %s; trying again in %.0f s", row["dedupe_key"], message, delay)
        else:
            log.error(
                "%s could not be taken a step (%s); trying again in %.0f s%s",
                row["dedupe_key"],
                message,
                delay,
                "" if row["status"] == "sent" else ", the next intents meanwhile",
                exc_info=error,
            )

    async def settle(self, row: asyncpg.Record) -> None:
        """Takes the intent `row` one step or more towards mined or failed."""
        try:
            operation = await self._operation(row)
        except Unsendable as error:
            if row["status"] == "sent":
                # Its transaction may yet be mined: never marked failed without the chain.
                raise RuntimeError(f"a sent intent can no longer be read: {error}") from error
            await self._fail(row, str(error), None)
            return
        if row["status"] == "sent":
            await self._resolve(row, operation)
        else:
            await self._send(row, operation)

    async def _chain(self, read: Callable[[], T]) -> T:
        """`read()`, which talks to the node, off the event loop."""
        try:
            return await asyncio.to_thread(read)
        except OSError as error:  # requests' ConnectionError, Timeout and HTTPError are OSErrors
            raise ChainUnreachable(str(error) or type(error).__name__) from error

    async def _operation(self, row: asyncpg.Record) -> Operation:
        kind: str = row["kind"]
        payload: dict[str, Any] = row["payload"]
        try:
            if kind == "create_community":
                return CreateCommunity(
                    self.deployment,
                    str(payload["name"]),
                    Web3.to_checksum_address(payload["creator"]),
                )
            if kind == "mint_epoch":
                token = payload.get("token") or await self._community_token(
                    str(payload["communityId"])
                )
                return MintEpoch(
                    token=Web3.to_checksum_address(token),
                    epoch_id=int(payload["epoch"]),
                    recipients=[Web3.to_checksum_address(a) for a in payload["recipients"]],
                    amounts=[int(amount) for amount in payload["amounts"]],
                    from_block=int(self.deployment["deployBlock"]),
                    # An intent queued before roots were published carries none: the zero root.
                    root=bytes(HexBytes(payload.get("root") or bytes(32))),
                )
            if kind == "cast_vote_by_sig":
                return CastVoteBySig(
                    governor=Web3.to_checksum_address(payload["governor"]),
                    proposal_id=int(payload["proposalId"]),
                    support=int(payload["support"]),
                    voter=Web3.to_checksum_address(payload["voter"]),
                    signature=bytes(HexBytes(payload["signature"])),
                    reason=payload.get("reason"),
                    from_block=int(self.deployment["deployBlock"]),
                )
        except (KeyError, TypeError, ValueError) as error:
            raise Unsendable(f"malformed {kind} payload: {error!r}") from error
        raise Unsendable(f"the sender does not send {kind} intents yet")

    async def _community_token(self, community: str) -> str:
        creation = await self.db.fetchrow(queries.get_community_creation, community)
        if creation is not None and creation["token"] is not None:
            return str(creation["token"])
        if creation is not None and creation["status"] in ("pending", "sent"):
            # Stepped over after an error: the epoch waits for it rather than failing.
            raise NotYet(f"waiting for the creation of community {community}")
        raise Unsendable(f"community {community} has no token on-chain (its creation is not mined)")

    async def _send(self, row: asyncpg.Record, operation: Operation) -> None:
        call = operation.call(self.w3)
        try:
            gas = await self._chain(
                lambda: gas_limit(call, self.address, headroom=operation.gas_headroom())
            )
        except TransactionReverted as reverted:
            done = await self._chain(lambda: operation.done_on_chain(self.w3))
            if done is not None:
                await self._done_already(row, done, reverted.error)
            else:
                await self._fail(row, reverted.error, None)
            return
        # No other intent is sent (see `next_unsettled`): the pending nonce is the next free one.
        nonce = await self._chain(
            lambda: self.w3.eth.get_transaction_count(self.address, "pending")
        )
        signed = await self._chain(lambda: sign_call(self.key, call, nonce=nonce, gas=gas))
        status = await self.db.execute(queries.mark_sent, row["id"], nonce, signed.hash, signed.raw)
        if status != "UPDATE 1":
            raise RuntimeError(f"intent {row['id']} changed under the sender")
        log.info("%s: sending %s (nonce %d)", row["dedupe_key"], _hex(signed.hash), signed.nonce)
        await self._pause("recorded")
        if not await self._broadcast(signed.raw):
            return  # the loop reads the chain again
        await self._pause("broadcast")
        await self._await_receipt(
            row, operation, [signed.hash], self.settings.sender_replace_after_seconds
        )

    async def _broadcast(self, raw: bytes) -> bool:
        """Broadcasts `raw`; False when the node refused it (what became of its nonce is read
        from the chain next)."""
        try:
            await self._chain(lambda: self.w3.eth.send_raw_transaction(raw))
        except Web3RPCError as error:
            # "already known" or "nonce too low" (perhaps this very transaction, mined): the
            # chain tells. Anything else (funds, fees) is waited out.
            log.warning("the node refused the transaction: %s", error)
            return False
        return True

    async def _resolve(self, row: asyncpg.Record, operation: Operation) -> None:
        """Settles a sent intent from what the chain knows of its transactions: the current one
        and those it replaced (any of them may be the one mined)."""
        tx_hash, nonce = bytes(row["tx_hash"]), int(row["nonce"])
        hashes = [tx_hash, *(bytes(each) for each in reversed(row["replaced_tx_hashes"]))]
        if await self._settle_if_mined(row, operation, hashes):
            return
        used = await self._chain(lambda: self.w3.eth.get_transaction_count(self.address, "latest"))
        if used > nonce:
            # Mined between the two reads?
            if await self._settle_if_mined(row, operation, hashes):
                return
            # Replaced by a transaction not recorded here (another tool with the operator's
            # key): which the chain says, through step 1 (done already, or sent anew).
            message = (
                f"nonce {nonce} went to another transaction, so {_hex(tx_hash)} can never be "
                "mined; sending again"
            )
            log.warning("%s: %s", row["dedupe_key"], message)
            await self.db.execute(queries.requeue, row["id"], message)
            return
        if row["signed_tx"] is None:  # recorded by hand, or by an older sender: sign it anew
            await self.db.execute(queries.requeue, row["id"], "sent without its signed bytes")
            return
        # The nonce is unused: the transaction is in the node's pool, or was dropped.
        left = self.settings.sender_replace_after_seconds - float(row["signed_seconds_ago"] or 0)
        if left <= 0:
            fields = await self._replacement(row)
            if fields is not None:
                await self._bump(row, operation, fields)
                return
            # At the ceiling: waited for, or broadcast again if dropped, as it stands.
            left = RECEIPT_WAIT_SECONDS
        if await self._chain(lambda: self._known(tx_hash)):
            await self._await_receipt(row, operation, hashes, left)
            return
        # Dropped (or, killed after recording it, never broadcast): the same bytes again, so
        # the nonce still has only the hashes recorded. If the pool holds a transaction of
        # ours it replaced, this one's higher fees take its place.
        log.info("%s: broadcasting %s again", row["dedupe_key"], _hex(tx_hash))
        if await self._broadcast(bytes(row["signed_tx"])):
            await self._await_receipt(row, operation, hashes, left)
        else:
            await asyncio.sleep(min(BACKOFF_CAP_SECONDS, left))

    async def _replacement(self, row: asyncpg.Record) -> dict[str, Any] | None:
        """The sent transaction's fields with fees at least 10% higher (what nodes require to
        replace it) and at least what the chain asks now; None if it offers what the chain asks
        already and a replacement would pass `TIP_CEILING`."""
        fields = {
            name: value
            for name, value in TypedTransaction.from_bytes(HexBytes(row["signed_tx"]))
            .as_dict()
            .items()
            if name not in ("v", "r", "s")
        }
        if "maxFeePerGas" in fields:  # EIP-1559, what `sign_call` signs where the chain has it
            tip, base_fee = await self._chain(
                lambda: (
                    int(self.w3.eth.max_priority_fee),
                    int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0)),
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
            price = await self._chain(lambda: int(self.w3.eth.gas_price))
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
                    _hex(bytes(row["tx_hash"])),
                    TIP_CEILING,
                )
            return None
        return fields

    async def _bump(
        self, row: asyncpg.Record, operation: Operation, fields: dict[str, Any]
    ) -> None:
        """Replaces the sent transaction, not mined in time, by `fields` (`_replacement`),
        recorded before it is broadcast."""
        old_hash = bytes(row["tx_hash"])
        signed = Account.sign_transaction(fields, self.key)
        new_hash = bytes(signed.hash)
        status = await self.db.execute(
            queries.mark_bumped, row["id"], old_hash, new_hash, bytes(signed.raw_transaction)
        )
        if status != "UPDATE 1":
            raise RuntimeError(f"intent {row['id']} changed under the sender")
        log.info(
            "%s: %s not mined after %g s; replacing it with %s (nonce %d, fees %s)",
            row["dedupe_key"],
            _hex(old_hash),
            self.settings.sender_replace_after_seconds,
            _hex(new_hash),
            int(row["nonce"]),
            {name: fields[name] for name in _FEES if name in fields},
        )
        await self._pause("bumped")
        hashes = [new_hash, old_hash, *(bytes(h) for h in reversed(row["replaced_tx_hashes"]))]
        if await self._broadcast(bytes(signed.raw_transaction)):
            await self._await_receipt(
                row, operation, hashes, self.settings.sender_replace_after_seconds
            )

    def _known(self, tx_hash: bytes) -> bool:
        try:
            self.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _receipt(self, tx_hash: bytes) -> TxReceipt | None:
        try:
            return self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        except TransactionNotFound:
            return None

    async def _settle_if_mined(
        self, row: asyncpg.Record, operation: Operation, hashes: list[bytes]
    ) -> bool:
        """Settles the intent by whichever of `hashes` (one nonce's transactions) is mined."""
        for tx_hash in hashes:
            receipt = await self._chain(lambda: self._receipt(tx_hash))  # noqa: B023 (awaited here)
            if receipt is not None:
                await self._settle(row, operation, tx_hash, receipt)
                return True
        return False

    async def _await_receipt(
        self, row: asyncpg.Record, operation: Operation, hashes: list[bytes], within: float
    ) -> None:
        # Polled here rather than in web3's wait: a short call at a time, so that stopping the
        # process never waits on a thread. At most RECEIPT_WAIT_SECONDS, so that a dropped
        # transaction is seen soon, and never past the time its replacement is due.
        deadline = time.monotonic() + min(RECEIPT_WAIT_SECONDS, within)
        while time.monotonic() < deadline:
            if await self._settle_if_mined(row, operation, hashes):
                return
            await asyncio.sleep(RECEIPT_POLL_SECONDS)
        if hashes[0] not in self.waiting:
            self.waiting.add(hashes[0])
            log.info("%s: %s is not mined yet; still waiting", row["dedupe_key"], _hex(hashes[0]))

    async def _settle(
        self, row: asyncpg.Record, operation: Operation, tx_hash: bytes, receipt: TxReceipt
    ) -> None:
        block = int(receipt["blockNumber"])
        if receipt["status"] == 1:
            result = operation.result(self.w3, receipt)
            await self.db.execute(queries.mark_mined, row["id"], tx_hash, block, result)
            log.info("%s: mined in block %d (%s)", row["dedupe_key"], block, _hex(tx_hash))
            return
        reason = await self._chain(lambda: revert_reason(self.w3, tx_hash))
        limit = await self._chain(lambda: self.w3.eth.get_transaction(HexBytes(tx_hash))["gas"])
        reason = f"{reason} (gas used {receipt['gasUsed']} of {limit})"
        done = await self._chain(lambda: operation.done_on_chain(self.w3))
        if done is not None:
            await self._done_already(row, done, reason, own_tx=tx_hash)
        else:
            await self._fail(row, reason, block)

    async def _done_already(
        self, row: asyncpg.Record, done: Done, reverted: str, own_tx: bytes | None = None
    ) -> None:
        result = {**done.result, "alreadyDone": True}
        if own_tx is not None:
            result["revertedTx"] = _hex(own_tx)
        await self.db.execute(
            queries.mark_mined, row["id"], done.tx_hash, done.block_number, result
        )
        log.info(
            "%s: done on-chain already by %s (%s)", row["dedupe_key"], _hex(done.tx_hash), reverted
        )

    async def _fail(self, row: asyncpg.Record, error: str, block: int | None) -> None:
        await self.db.execute(queries.mark_failed, row["id"], error, block)
        log.warning("%s: failed: %s", row["dedupe_key"], error)

    async def _pause(self, point: str) -> None:
        if self.settings.sender_pause_after == point:
            log.warning("paused after the transaction was %s (SENDER_PAUSE_AFTER, tests)", point)
            await asyncio.Event().wait()


async def _take_lock(db: asyncpg.Connection) -> None:
    if await db.fetchval(queries.try_lock, LOCK_KEY):
        return
    log.warning(
        "another sender holds the operator's nonce (advisory lock %#x); waiting for it to stop",
        LOCK_KEY,
    )
    await db.execute(queries.lock, LOCK_KEY)
    log.info("the other sender stopped; this one sends now")


async def _connect(database_url: str) -> asyncpg.Connection:
    # Its own connection, not the pool's: it holds the lock for the sender's life, and the wait
    # for the lock must not end with a statement timeout.
    db: asyncpg.Connection = await asyncpg.connect(
        database_url,
        server_settings={"application_name": "agora-send", "statement_timeout": "0"},
    )
    await db.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return db


def _chain_of(settings: Settings) -> tuple[Deployment, str, str]:
    """The deployment, the RPC URL and the operator's key the sender uses."""
    try:
        deployment = load_deployment(settings.deployment_file)
    except FileNotFoundError:
        raise SystemExit(
            f"no deployment at {settings.deployment_file}: deploy the contracts first "
            "(agora deploy, or agora up)"
        ) from None
    rpc_url = settings.chain_rpc_url or str(deployment["rpcUrl"])
    return deployment, rpc_url, settings.operator_key or ANVIL_OPERATOR_KEY


async def send_pending(settings: Settings, database_url: str) -> int | None:
    """Settles every intent recorded so far, then returns how many steps it took; None at
    once if another sender holds the lock. For a periodic task (e.g. Celery's) instead of the
    long-lived `agora send`; raises `ChainUnreachable` when the chain does not answer."""
    deployment, rpc_url, operator_key = _chain_of(settings)
    db = await _connect(database_url)
    try:
        if not await db.fetchval(queries.try_lock, LOCK_KEY):
            return None
        sender = Sender(settings, db, deployment, rpc_url, operator_key)
        steps = 0
        while await sender.step():
            steps += 1
        return steps
    finally:
        await db.close()  # and with it the lock


async def run(settings: Settings, database_url: str) -> None:
    """Sends the outbox's intents until the process is stopped (`agora send`)."""
    deployment, rpc_url, operator_key = _chain_of(settings)
    database = Outage("the database")
    while True:
        db: asyncpg.Connection | None = None
        try:
            db = await _connect(database_url)
            await _take_lock(db)
            database.back()
            sender = Sender(settings, db, deployment, rpc_url, operator_key)
            await db.add_listener(CHANNEL, sender.notified)
            log.info("sending the transactions of the operator %s to %s", sender.address, rpc_url)
            await sender.run_forever()
        except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError) as error:
            # The lock went with the connection: taken again before anything is sent.
            await database.lost(error)
        finally:
            if db is not None:
                with contextlib.suppress(Exception):
                    await db.close(timeout=2)
