"""What the token mints for the ledger: a `mint_epoch` intent in the operator's outbox per batch
of recipients, each carrying the merkle root of the whole distribution; and, once the sender
recorded one mined, what it paid to whom.

On-chain epoch ids: a reward epoch's batches are `number * CHAIN_EPOCH_STRIDE + batch` (number
>= 1), a community's genesis grant is 0 (ledger/genesis.py): the two never meet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import asyncpg
from eth_typing import ChecksumAddress, HexAddress, HexStr

from agora.settings import Settings
from agora.sql import load
from governance.intents import MintEpoch

queries = load(__file__, "mints.sql")

CHAIN_EPOCH_STRIDE = 1000


def chain_epoch_id(number: int, batch: int) -> int:
    return number * CHAIN_EPOCH_STRIDE + batch


def dedupe_key(community_id: int, chain_epoch: int) -> str:
    """The outbox key of a mint: one intent per on-chain epoch of a community."""
    return MintEpoch.key_of(community_id, chain_epoch)


def payload(
    community_id: int,
    chain_epoch: int,
    root: bytes | None,
    recipients: Sequence[tuple[str, int]],
) -> str:
    """The intent's payload (JSON) minting `recipients` (checksummed address, base units)."""
    intent = MintEpoch(
        community_id,
        chain_epoch,
        tuple(ChecksumAddress(HexAddress(HexStr(address))) for address, _ in recipients),
        tuple(amount for _, amount in recipients),
        root or bytes(32),
    )
    return json.dumps(intent.payload())


def paid(payloads: Iterable[str | Mapping[str, object]]) -> dict[str, int]:
    """Base units by lowercase address, summed over the mints of `payloads` (as the outbox stores
    them: JSON text, or decoded by a connection with a jsonb codec)."""
    total: dict[str, int] = {}
    for raw in payloads:
        mint = json.loads(raw) if isinstance(raw, str) else raw
        recipients, amounts = mint["recipients"], mint["amounts"]
        assert isinstance(recipients, list) and isinstance(amounts, list)
        for address, amount in zip(recipients, amounts, strict=True):
            total[str(address).lower()] = total.get(str(address).lower(), 0) + int(amount)
    return total


async def queue(
    conn: asyncpg.Connection,
    settings: Settings,
    community_id: int,
    number: int,
    minted: Mapping[int, tuple[str, int]],
    distribution_root: bytes | None,
) -> None:
    """One mint intent per batch of `minted` (address and amount by user), in address order so
    a rerun batches alike, and the epoch's payout per batch."""
    recipients = sorted(minted, key=lambda user: minted[user][0].lower())
    size = settings.reward_mint_batch_size
    batches = [recipients[start : start + size] for start in range(0, len(recipients), size)]
    if not batches:
        return
    keys = [dedupe_key(community_id, chain_epoch_id(number, b)) for b in range(len(batches))]
    payloads = [
        payload(
            community_id,
            chain_epoch_id(number, b),
            distribution_root,
            [minted[user] for user in users],
        )
        for b, users in enumerate(batches)
    ]
    # One statement each for all the batches: an epoch of 10,000 recipients has 67.
    intents = {
        r["dedupe_key"]: r["id"]
        for r in await conn.fetch(queries.insert_mint_intents, keys, payloads)
    }
    await conn.execute(
        queries.insert_payouts,
        community_id,
        number,
        list(range(len(batches))),
        [chain_epoch_id(number, b) for b in range(len(batches))],
        [len(users) for users in batches],
        [str(sum(minted[user][1] for user in users)) for users in batches],
        [intents[key] for key in keys],
    )
