"""`agora ledger check`: every transfer balances, every closed epoch adds up, every released
epoch's merkle root is that of its lines and rides in its mints, and the ledger's on-chain total
per community equals what its token has minted (`totalSupply`)."""

from __future__ import annotations

import asyncpg
from web3 import Web3

from agora.sql import load
from governance.deploy import contract_at
from ledger import merkle

queries = load(__file__, "check.sql")


async def check(
    conn: asyncpg.Connection, w3: Web3 | None, community_id: int | None = None
) -> list[str]:
    """The problems found, each a sentence; none when the books are right. Without a chain
    (`w3` None) the on-chain totals are not compared; with `community_id`, epochs and totals
    of that community only."""
    problems = [
        f"transfer {r['transfer_id']} does not balance"
        for r in await conn.fetch(queries.unbalanced_transfers)
    ]
    problems += [
        f"community {r['community_id']}: balances sum to {r['total']}, not 0"
        for r in await conn.fetch(queries.unbalanced_communities)
    ]
    problems += [
        f"community {r['community_id']} epoch {r['number']}: emission {r['emission']} but "
        f"{r['emitted']} emitted; {r['distributed']} distributed but {r['rewarded']} rewarded "
        f"and {r['explained']} explained by its lines"
        for r in await conn.fetch(queries.epoch_mismatches, community_id)
    ]
    problems += await _published_roots(conn, community_id)
    if w3 is not None:
        for r in await conn.fetch(queries.onchain_totals, community_id):
            token = contract_at(w3, "CommunityToken", r["token_address"])
            minted = int(token.functions.totalSupply().call())
            if minted != int(r["onchain"]):
                problems.append(
                    f"community {r['name']} ({r['id']}): the ledger paid {int(r['onchain'])} "
                    f"on-chain, its token minted {minted}"
                )
    return problems


async def _published_roots(conn: asyncpg.Connection, community_id: int | None) -> list[str]:
    """Every released epoch's stored root is the root of its lines not voided, and each of its
    mints carries it."""
    rows: dict[tuple[int, int], list[tuple[str, int]]] = {}
    stored: dict[tuple[int, int], bytes] = {}
    for r in await conn.fetch(queries.published_distributions, community_id):
        key = (r["community_id"], r["number"])
        rows.setdefault(key, []).append((r["address"], int(r["amount"])))
        stored[key] = bytes(r["merkle_root"])
    problems = [
        f"community {c} epoch {n}: its merkle root is not that of its lines"
        for (c, n), distribution in rows.items()
        if merkle.root(distribution) != stored[c, n]
    ]
    problems += [
        f"community {r['community_id']} epoch {r['epoch_number']}: mint {r['chain_epoch_id']} "
        "does not carry the epoch's merkle root"
        for r in await conn.fetch(queries.mints_without_their_root, community_id)
    ]
    return problems
