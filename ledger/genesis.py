"""A community's genesis grant: points given outside any reward epoch (the demo seed's), booked
and minted like an epoch so that the ledger accounts for every unit the token ever minted.

The grant is `emission -> earned` per member (transfers of kind `grant`, ids
`genesis:<community>:grant:<user>`), with a `mint_epoch` intent in the operator's outbox for the
token's genesis epoch, on-chain epoch id 0 (reward epochs use `number * 1000 + batch` with
number >= 1, so ids below 1000 are never theirs). Once the sender records it mined, `settle`
books `earned -> onchain` per member (`genesis:<community>:paid:<user>`), once.
"""

from __future__ import annotations

import asyncpg
from eth_utils import to_checksum_address

from agora.sql import load
from ledger import journal, merkle, mints

queries = load(__file__, "genesis.sql")

# The token's epoch id of a community's genesis grant (see the module's docstring).
GENESIS_CHAIN_EPOCH = 0


def dedupe_key(community_id: int) -> str:
    """The outbox key of the genesis mint, in the form of every epoch's mint."""
    return mints.dedupe_key(community_id, GENESIS_CHAIN_EPOCH)


def transfer_id(community_id: int, what: str) -> str:
    return f"genesis:{community_id}:{what}"


async def grant(conn: asyncpg.Connection, community_id: int, amounts: dict[int, int]) -> bool:
    """Books the genesis grant of `amounts` (base units by user id) and records its mint, in one
    transaction; False, changing nothing, when the community already had its genesis."""
    async with conn.transaction():
        if await conn.fetchval(queries.get_grant_transfers, community_id) is not None:
            return False
        users = sorted(user for user, amount in amounts.items() if amount > 0)
        accounts = await journal.open_accounts(
            conn, community_id, [("emission", None), *(("earned", user) for user in users)]
        )
        # No transfer id is posted twice: a grant already booked fails the whole transaction,
        # its mint intent with it.
        await journal.post(
            conn,
            community_id,
            "grant",
            None,
            [
                journal.Transfer(
                    transfer_id(community_id, f"grant:{user}"),
                    accounts["emission", None],
                    accounts["earned", user],
                    amounts[user],
                )
                for user in users
            ],
        )
        addresses = {
            r["id"]: str(to_checksum_address(r["address"]))
            for r in await conn.fetch(queries.user_addresses, users)
        }
        rows = [(addresses[user], amounts[user]) for user in users]
        await conn.execute(
            queries.insert_grant_intent,
            dedupe_key(community_id),
            # Its distribution's root, as every epoch's mint carries (ledger/merkle.py).
            mints.payload(community_id, GENESIS_CHAIN_EPOCH, merkle.root(rows), rows),
        )
    return True


async def status(conn: asyncpg.Connection, community_id: int) -> str | None:
    """Where the genesis mint stands in the outbox (pending, sent, mined, failed); None if the
    community has none."""
    row = await conn.fetchrow(queries.get_grant_intent, dedupe_key(community_id))
    return None if row is None else str(row["status"])


async def settle(conn: asyncpg.Connection, community_id: int) -> bool:
    """Books the genesis mint once the sender recorded it mined (`earned -> onchain` per
    member); whether it is booked. Safe to run twice or at once: each payout's id is fixed, and
    one already posted is skipped."""
    row = await conn.fetchrow(queries.get_grant_intent, dedupe_key(community_id))
    if row is None or row["status"] != "mined":
        return False
    async with conn.transaction():
        await journal.book_paid_mint(
            conn,
            community_id,
            None,
            mints.paid([row["payload"]]),
            lambda user: transfer_id(community_id, f"paid:{user}"),
            skip_posted=True,
        )
    return True
