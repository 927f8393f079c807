"""The follower: catch-up and live in one loop, each block range applied with its checkpoint.

Each step reads the node's head, checks that the node's chain still holds the checkpoint's block
(else a reorg: walk back to the common ancestor and roll back), then takes the next range of
blocks (up to head - INDEXER_CONFIRMATIONS), fetches its logs with eth_getLogs and writes their
rows, the range's blocks and the new checkpoint in one transaction. A range lies either wholly
below the finality horizon (head - INDEXER_FINALITY_BLOCKS), where only its first and last
headers are read, or wholly above it, where every header is read and kept so that a later reorg
finds its common ancestor, and every log is checked to belong to those very blocks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from indexer import repository
from indexer.events import TOPICS, RawLog, Rows, handle
from indexer.node import Header, Node, RangeRefused
from indexer.repository import Checkpoint

log = logging.getLogger("agora.indexer")

# Ponder's adaptive eth_getLogs range: start at 500 blocks, grow 5% per success, and on a refusal
# take the range the node suggests or halve it.
INITIAL_RANGE = 500.0
GROWTH = 1.05
PROGRESS_EVERY = 5.0  # seconds between progress lines while catching up


@dataclass(slots=True)
class _Ahead:
    """The logs of the next final range, being fetched while the current range is written."""

    start: int
    end: int
    watched: frozenset[bytes]
    task: asyncio.Future[list[RawLog]]


class DeepReorg(RuntimeError):
    """The node's chain diverges from the mirror below the kept (unfinalized) blocks."""


class Retry(Exception):
    """The chain moved under a step (a reorg between two calls): take the step again."""


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


def _address(value: str) -> bytes:
    return bytes.fromhex(value[2:])


class Follower:
    def __init__(
        self,
        conn: asyncpg.Connection,
        node: Node,
        deployment: dict[str, Any],
        *,
        finality: int,
        confirmations: int,
        poll_seconds: float,
        max_range: int = 10_000,
    ) -> None:
        self.conn = conn
        self.node = node
        contracts = deployment["contracts"]
        self.factory = _address(contracts["factory"]["address"])
        self.registry = _address(contracts["registry"]["address"])
        self.deploy_block = int(deployment["deployBlock"])
        self.finality = finality
        self.confirmations = confirmations
        self.poll_seconds = poll_seconds
        self.max_range = float(max_range)
        self.range = min(INITIAL_RANGE, self.max_range)
        # The contracts watched, by address: the deployment's, and each community's children.
        self.kinds: dict[bytes, str] = {}
        self._progress_at = time.monotonic()
        self._progress_events = 0
        self._progress_block: int | None = None
        self._ahead: _Ahead | None = None

    # --- start ------------------------------------------------------------------------------

    async def start(self) -> Checkpoint:
        """The checkpoint to resume from; a fresh mirror when none, or another deployment's."""
        chain_id = await self.node.chain_id()
        checkpoint = await repository.get_checkpoint(self.conn)
        if (
            checkpoint is None
            or checkpoint.factory != self.factory
            or checkpoint.chain_id != chain_id
        ):
            if checkpoint is not None:
                log.warning(
                    "the mirror is of another deployment (chain %d, factory %s): indexing anew",
                    checkpoint.chain_id,
                    _hex(checkpoint.factory),
                )
            first = max(self.deploy_block - 1, 0)
            header = await self.node.header(first)
            if header is None:
                raise RuntimeError(f"the chain has no block {first}: is this the deployment's?")
            checkpoint = Checkpoint(chain_id, self.factory, first, header.hash, header.timestamp)
            await repository.reset(self.conn, checkpoint, await self.node.block_number())
            log.info("indexing from block %d (the deployment's)", self.deploy_block)
        else:
            log.info("resuming after block %d", checkpoint.block_number)
        await self._load_watch_list()
        self._progress_block = checkpoint.block_number
        return checkpoint

    async def _load_watch_list(self) -> None:
        tokens, governors = await repository.watched(self.conn)
        self.kinds = {self.factory: "CommunityFactory", self.registry: "ModeratorRegistry"}
        self.kinds.update((token, "CommunityToken") for token in tokens)
        self.kinds.update((governor, "CommunityGovernor") for governor in governors)

    # --- the loop ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None) -> None:
        try:
            await self._run(stop)
        finally:
            self._drop_ahead()

    async def _run(self, stop: asyncio.Event | None) -> None:
        checkpoint = await self.start()
        while stop is None or not stop.is_set():
            try:
                checkpoint, advanced = await self.step(checkpoint)
            except Retry:
                self._drop_ahead()
                await self._load_watch_list()  # forget children seen in a replaced block
                await asyncio.sleep(self.poll_seconds)  # let the node settle on one chain
                continue
            if not advanced:
                if stop is None:
                    await asyncio.sleep(self.poll_seconds)
                else:
                    try:
                        await asyncio.wait_for(stop.wait(), self.poll_seconds)
                    except TimeoutError:
                        pass

    async def step(self, checkpoint: Checkpoint) -> tuple[Checkpoint, bool]:
        """Applies the next block range (or a rollback); False when there was nothing to do."""
        head = await self.node.block_number()
        current = await self.node.header(checkpoint.block_number)
        if current is None or current.hash != checkpoint.block_hash:
            return await self.reorg(checkpoint, head), True
        target = head - self.confirmations
        if target <= checkpoint.block_number:
            return checkpoint, False
        start = checkpoint.block_number + 1
        end = min(target, start + int(self.range) - 1)
        horizon = head - self.finality
        if start <= horizon < end:
            end = horizon  # a range is wholly final or wholly not
        unfinalized = end > horizon
        ahead = self._take_ahead(start, end, unfinalized)
        if ahead is not None:
            end = ahead.end  # at most the range this step would take: any final range will do
        headers = await self._headers(start, end, every=unfinalized)
        if headers[0].parent_hash != checkpoint.block_hash:
            raise Retry  # the chain changed since `current`: the next step sees the reorg
        try:
            raw = await self._logs(start, end, headers, None if ahead is None else ahead.task)
        except RangeRefused as refusal:
            self._shrink(start, end, refusal)
            return checkpoint, True
        self.range = min(self.range * GROWTH, self.max_range)
        if unfinalized:
            by_number = {h.number: h.hash for h in headers}
            for item in raw:
                if by_number[int(item["blockNumber"], 16)] != _address(item["blockHash"]):
                    raise Retry  # a log of a block replaced since its header was read
        rows = Rows()
        for item in raw:
            handle(self.kinds[_address(item["address"])], item, rows)
        for skipped in rows.by_table.get("undecodable_logs", ()):
            log.warning(
                "block %d: log %d of transaction 0x%s is not a valid %s (%s); recorded in "
                "chain_undecodable_logs and skipped",
                skipped[5],
                skipped[7],
                skipped[6].hex(),
                skipped[1],
                skipped[4],
            )
        last = headers[-1]
        advanced = replace(
            checkpoint,
            block_number=last.number,
            block_hash=last.hash,
            block_timestamp=last.timestamp,
        )
        # The last header is kept even in a final range: the walk back of a reorg starts there.
        kept = headers if unfinalized else [last]
        self._fetch_ahead(last.number + 1, min(target, horizon))
        await repository.apply_range(
            self.conn, rows, kept, advanced, head, keep_from=last.number - self.finality
        )
        self._progress(advanced.block_number, target, rows.events)
        return advanced, True

    async def _headers(self, start: int, end: int, *, every: bool) -> list[Header]:
        numbers = range(start, end + 1) if every else sorted({start, end})
        headers: list[Header] = []
        for number in numbers:
            header = await self.node.header(number)
            if header is None:
                raise Retry  # the chain got shorter: a reorg the next step sees
            if headers and every and header.parent_hash != headers[-1].hash:
                raise Retry
            headers.append(header)
        return headers

    def _fetch_ahead(self, start: int, last_final: int) -> None:
        """Starts fetching the logs of the next range if it is final (catching up): the node and
        JSON work on it while PostgreSQL writes the current one."""
        end = min(last_final, start + int(self.range) - 1)
        if end < start:
            return
        task = asyncio.ensure_future(
            self.node.get_logs(start, end, [_hex(a) for a in self.kinds], TOPICS)
        )
        # Retrieved here if the task is dropped unread (its error is the next step's to meet).
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._ahead = _Ahead(start, end, frozenset(self.kinds), task)

    def _take_ahead(self, start: int, end: int, unfinalized: bool) -> _Ahead | None:
        """The logs fetched ahead, if they are of a final range starting at `start`, no longer
        than `end`, for the contracts watched now; else they are dropped."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if (
            unfinalized
            or ahead.start != start
            or ahead.end > end
            or ahead.watched != set(self.kinds)
        ):
            ahead.task.cancel()
            return None
        return ahead

    def _drop_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.task.cancel()
            self._ahead = None

    async def _logs(
        self,
        start: int,
        end: int,
        headers: list[Header],
        fetched: asyncio.Future[list[RawLog]] | None = None,
    ) -> list[RawLog]:
        """The range's logs of every watched contract, children created in the range included
        (`fetched`: the watched contracts' logs, already being fetched)."""
        if fetched is None:
            raw = await self.node.get_logs(start, end, [_hex(a) for a in self.kinds], TOPICS)
        else:
            raw = await fetched
        await self._stamp(raw, headers)
        created = Rows()
        for item in raw:
            if _address(item["address"]) == self.factory:
                handle("CommunityFactory", item, created)
        children: dict[bytes, str] = {}
        first_block = end
        for community in created.by_table.get("communities", []):
            token, governor, block_number = community[2], community[3], community[5]
            if token in self.kinds:
                continue  # already watched, so already in `raw`
            children[token] = "CommunityToken"
            children[governor] = "CommunityGovernor"
            first_block = min(first_block, block_number)
        if children:
            # Factory pattern: a child's logs from its creation on, within this very range.
            self.kinds.update(children)
            raw += await self.node.get_logs(first_block, end, [_hex(a) for a in children], TOPICS)
            raw.sort(key=lambda item: (int(item["blockNumber"], 16), int(item["logIndex"], 16)))
        return raw

    async def _stamp(self, raw: list[RawLog], headers: list[Header]) -> None:
        """Gives each log its block's timestamp where the node did not (a header per block)."""
        times = {h.number: h.timestamp for h in headers}
        for item in raw:
            if "blockTimestamp" in item:
                continue
            number = int(item["blockNumber"], 16)
            if number not in times:
                header = await self.node.header(number)
                if header is None or header.hash != _address(item["blockHash"]):
                    raise Retry
                times[number] = header.timestamp
            item["blockTimestamp"] = hex(times[number])

    def _shrink(self, start: int, end: int, refusal: RangeRefused) -> None:
        if end == start:
            raise refusal
        if refusal.suggested is not None and start <= refusal.suggested < end:
            self.range = float(refusal.suggested - start + 1)
        else:
            self.range = max(1.0, (end - start + 1) / 2)
        log.info("the node refused blocks %d-%d; taking %d at a time", start, end, int(self.range))

    def _progress(self, block: int, target: int, events: int) -> None:
        self._progress_events += events
        if self._progress_block is None:
            self._progress_block = block
        now = time.monotonic()
        elapsed = now - self._progress_at
        if elapsed < PROGRESS_EVERY:
            return
        rate = self._progress_events / elapsed
        left = target - block
        if left > 0:
            blocks_per_second = (block - self._progress_block) / elapsed
            log.info(
                "catching up: block %d of %d (%d left), %.0f events/s, ETA %.0f s",
                block,
                target,
                left,
                rate,
                left / max(blocks_per_second, 1e-9),
            )
        self._progress_at = now
        self._progress_events = 0
        self._progress_block = block

    # --- reorgs -----------------------------------------------------------------------------

    async def reorg(self, checkpoint: Checkpoint, head: int) -> Checkpoint:
        """Rolls the mirror back to the newest kept block the node's chain still holds."""
        kept = await repository.unfinalized_blocks(self.conn, checkpoint.block_number)
        for block in kept:
            on_chain = await self.node.header(block.number)
            if on_chain is not None and on_chain.hash == block.hash:
                ancestor = replace(
                    checkpoint,
                    block_number=block.number,
                    block_hash=block.hash,
                    block_timestamp=block.timestamp,
                )
                await repository.roll_back(self.conn, ancestor, head)
                await self._load_watch_list()
                log.warning(
                    "reorg: blocks %d-%d were replaced; rolled back to block %d, their common "
                    "ancestor, and indexing the new branch",
                    block.number + 1,
                    checkpoint.block_number,
                    block.number,
                )
                return ancestor
        oldest = kept[-1].number if kept else checkpoint.block_number
        raise DeepReorg(
            f"the chain at {self.node.rpc_url} no longer holds block {checkpoint.block_number} "
            f"(0x{checkpoint.block_hash.hex()}) nor any indexed block down to {oldest}: a reorg "
            f"deeper than INDEXER_FINALITY_BLOCKS={self.finality}, or another chain behind the "
            "same URL. The mirror is left as it was; to index again from the deployment block, "
            "delete the row of chain_indexer_state and restart `agora index`."
        )
