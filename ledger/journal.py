"""The ledger's books, written here alone: accounts, and transfers between them that are never
changed (TigerBeetle's immutable entries). Epochs, genesis grants and settlement all book through
this module, so a unit moves the same way whatever moved it.

Accounts of a community: `emission` (where its tokens come from), `pool` (emitted, not yet
paid), and per member `earned` (owed, not minted yet) and `onchain` (minted to their address).
A paid mint is the "post" of a pending transfer: `earned -> onchain` per recipient.

Callers hold the lock that orders their writes (an epoch's row; journal.sql gives the order) and
run inside their own transaction: a transfer id already posted fails the whole transaction
unless the caller asked to skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from agora.sql import load

queries = load(__file__, "journal.sql")

# An account by (kind, user id), None for the community's own.
AccountKey = tuple[str, int | None]


def epoch_transfer_id(community_id: int, number: int, what: str) -> str:
    """The id of a reward epoch's transfer of `what` (`emission`, `reward:<user>`,
    `void:post:<id>`, `paid:<user>`): fixed by what it books, so a second payout cannot post."""
    return f"epoch:{community_id}:{number}:{what}"


@dataclass(frozen=True, slots=True)
class Transfer:
    """`amount` base units from account `debit` to account `credit`, under a caller-chosen id
    derived from what it books, so a retry names the same transfer."""

    id: str
    debit: int
    credit: int
    amount: int


async def accounts_of(
    conn: asyncpg.Connection, community_id: int, users: Sequence[int]
) -> dict[AccountKey, int]:
    """The ids of the community's accounts (its own, and those of `users`) by (kind, user)."""
    return {
        (r["kind"], r["user_id"]): r["id"]
        for r in await conn.fetch(queries.get_accounts, community_id, list(users))
    }


async def open_accounts(
    conn: asyncpg.Connection, community_id: int, wanted: Sequence[AccountKey]
) -> dict[AccountKey, int]:
    """Opens the `wanted` accounts that are missing; the ids of the community's accounts and of
    the accounts of every user named in `wanted`."""
    await conn.execute(
        queries.ensure_accounts,
        community_id,
        [kind for kind, _ in wanted],
        [user for _, user in wanted],
    )
    users = sorted({user for _, user in wanted if user is not None})
    return await accounts_of(conn, community_id, users)


async def post(
    conn: asyncpg.Connection,
    community_id: int,
    kind: str,
    epoch_number: int | None,
    transfers: Sequence[Transfer],
    *,
    skip_posted: bool = False,
) -> None:
    """Posts `transfers` of `kind` (for reward epoch `epoch_number`, None outside any). An id
    already posted fails the transaction, or with `skip_posted` is left as it is."""
    if not transfers:
        return
    await conn.execute(
        queries.insert_transfers_once if skip_posted else queries.insert_transfers,
        community_id,
        kind,
        epoch_number,
        [t.id for t in transfers],
        [t.debit for t in transfers],
        [t.credit for t in transfers],
        [str(t.amount) for t in transfers],
    )


async def book_paid_mint(
    conn: asyncpg.Connection,
    community_id: int,
    epoch_number: int | None,
    paid: Mapping[str, int],
    transfer_id: Callable[[int], str],
    *,
    skip_posted: bool = False,
) -> None:
    """Books a mined mint that paid `paid` (base units by lowercase address): `earned ->
    onchain` for the account each address was paid for, under `transfer_id(user)`, in user id
    order (the lock order)."""
    users: dict[str, int] = {
        r["address"]: r["id"]
        for r in await conn.fetch(queries.users_by_address, list(paid), community_id)
    }
    ids = sorted(users.values())
    accounts = await open_accounts(conn, community_id, [("onchain", user) for user in ids])
    await post(
        conn,
        community_id,
        "payout",
        epoch_number,
        [
            Transfer(
                transfer_id(users[address]),
                accounts["earned", users[address]],
                accounts["onchain", users[address]],
                amount,
            )
            for address, amount in sorted(paid.items(), key=lambda item: users[item[0]])
        ],
        skip_posted=skip_posted,
    )
