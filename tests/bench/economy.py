"""Issue 16's attack bench: a simulated community, its honest history, then each attack in its
own run, scored by the real scoring SQL (`ledger.epochs.score_epochs`) and split
(`ledger.rewards.split`) in a PostgreSQL database of its own, against the same run scored the old
way (one eligible vote, one unit: `old_scores` in economy.sql).

The community: 200 honest members whose activity is skewed (Pareto: a few post and vote a lot,
most a little), posts of uneven quality (log-normal) that members vote on in proportion to it,
never their own, 90% up. Epochs are a day; after each, what it paid is minted (a Transfer from the
zero address, stamped a minute after the epoch's end, as the mirror would hold it), so standing
builds from the first epoch (bootstrap: nobody holds points, every voter weighs one) on. The last
epoch is measured: its honest votes alone (the baseline), then, each in a transaction rolled
back, the baseline plus one attack.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from eth_utils import keccak

from agora.settings import Settings
from agora.sql import load
from ledger import epochs, rewards
from tests.bench.indexer import fresh_database

log = logging.getLogger("bench.economy")

Q = load(__file__, "economy.sql")
DATABASE = "agora_bench_economy"
SEED = 16
MEMBERS = 200
EPOCHS = 6  # the last one is measured
EPOCH = timedelta(days=1)
NAME = "economy"

# The targets.
RING_TARGET = 0.01  # of the epoch, at most
ALTS_TARGET = 0.01  # added to the owner's share, at most
TRADING_TARGET = 1.5  # the circle's share over its honest share, at most
WHALE_POINTS = Decimal("0.3")  # the whale's share of the points: its friend gets less
SPEARMAN_TARGET = 0.8  # honest items' rewards, weighted vs old, at least


@dataclass
class Community:
    id: int
    token: bytes
    members: list[int]
    addresses: dict[int, bytes]
    activity: dict[int, float]
    starts: datetime
    block: int = 1
    # The measured epoch's honest posts, by author.
    last_posts: dict[int, list[int]] = field(default_factory=dict)

    def window(self, number: int) -> tuple[datetime, datetime]:
        start = self.starts + (number - 1) * EPOCH
        return start, start + EPOCH


def _address(rng: random.Random) -> str:
    return "0x" + rng.randbytes(20).hex()


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's: small means only.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


async def _users(
    conn: asyncpg.Connection, rng: random.Random, count: int, created_at: datetime
) -> tuple[list[int], dict[int, bytes]]:
    rows = await conn.fetch(
        Q.insert_users, [_address(rng) for _ in range(count)], [created_at] * count
    )
    return [r["id"] for r in rows], {r["id"]: bytes.fromhex(r["address"][2:]) for r in rows}


async def _posts(
    conn: asyncpg.Connection, c: Community, authors: Sequence[int], at: datetime
) -> list[int]:
    rows = await conn.fetch(Q.insert_posts, c.id, list(authors), [at] * len(authors))
    return [r["id"] for r in rows]


async def _votes(
    conn: asyncpg.Connection, votes: Sequence[tuple[int, int, int]], at: datetime
) -> None:
    post_ids, user_ids, values = zip(*votes, strict=True) if votes else ((), (), ())
    await conn.execute(
        Q.insert_votes, list(post_ids), list(user_ids), list(values), [at] * len(votes)
    )


async def _mint(conn: asyncpg.Connection, c: Community, paid: dict[int, int], at: datetime) -> None:
    if not paid:
        return
    c.block += 1
    users = sorted(paid)
    await conn.execute(
        Q.insert_mints,
        c.token,
        c.block,
        keccak(text=f"mint {c.block}"),
        int(at.timestamp()),
        [c.addresses[u] for u in users],
        [Decimal(paid[u]) for u in users],
    )


async def _honest_epoch(
    conn: asyncpg.Connection, c: Community, rng: random.Random, number: int
) -> dict[int, list[int]]:
    """The members' posts and votes of epoch `number`: each posts about half their activity,
    and votes on about three times it, picking posts by quality, never their own."""
    start, _ = c.window(number)
    authors = [m for m in c.members for _ in range(_poisson(rng, 0.5 * c.activity[m]))]
    rng.shuffle(authors)
    posts = await _posts(conn, c, authors, start + timedelta(minutes=1))
    quality = {p: rng.lognormvariate(0, 1) for p in posts}
    author_of = dict(zip(posts, authors, strict=True))
    votes: list[tuple[int, int, int]] = []
    for member in c.members:
        others = [p for p in posts if author_of[p] != member]
        wanted = min(len(others), _poisson(rng, 3 * c.activity[member]))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.add(rng.choices(others, weights=[quality[p] for p in others])[0])
        votes += [(p, member, 1 if rng.random() < 0.9 else -1) for p in sorted(chosen)]
    await _votes(conn, votes, start + timedelta(hours=1))
    by_author: dict[int, list[int]] = {}
    for post, author in author_of.items():
        by_author.setdefault(author, []).append(post)
    return by_author


@dataclass(frozen=True)
class Outcome:
    """One way of scoring the measured epoch: each item's line, by post id."""

    lines: dict[int, rewards.Line]
    emission: int

    def share(self, authors: set[int], *, before_caps: bool = False) -> float:
        got = sum(
            line.share if before_caps else line.amount
            for line in self.lines.values()
            if line.item.author_id in authors
        )
        return got / self.emission


async def _score(
    conn: asyncpg.Connection, settings: Settings, c: Community, number: int
) -> tuple[Outcome, Outcome]:
    """The epoch scored with weights (the ledger's own query) and the old way."""
    start, end = c.window(number)
    emission = settings.reward_emission
    caps = {
        "max_item_share": settings.reward_max_item_share,
        "max_author_share": settings.reward_max_author_share,
    }
    weighted = (await epochs.score_epochs(conn, settings, [(c.id, start, end)])).get(c.id, [])
    old = [
        rewards.Item("post", r["id"], r["author_id"], r["votes"], r["score"], r["score"])
        for r in await conn.fetch(
            Q.old_scores, c.id, start, end, float(settings.reward_min_account_age_seconds)
        )
    ]
    return tuple(  # type: ignore[return-value]
        Outcome({line.item.id: line for line in rewards.split(emission, items, **caps)}, emission)
        for items in (weighted, old)
    )


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation, ties given their average rank."""

    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else 1.0


async def _history(conn: asyncpg.Connection, settings: Settings) -> Community:
    """The community, its members, and its honest epochs up to the measured one (its votes
    included), each epoch before it paid and minted."""
    rng = random.Random(SEED)
    starts = (datetime.now(UTC) - EPOCHS * EPOCH - timedelta(days=1)).replace(microsecond=0)
    members, addresses = await _users(conn, rng, MEMBERS, starts - timedelta(days=30))
    community = await conn.fetchval(Q.insert_community, NAME, members[0], starts)
    token = keccak(text="economy token")[:20]
    await conn.execute(
        Q.mirror_community,
        keccak(text=NAME),
        NAME,
        token,
        keccak(text="economy governor")[:20],
        addresses[members[0]],
        keccak(text="economy creation"),
        int(starts.timestamp()),
    )
    activity = {m: min(rng.paretovariate(1.3), 25.0) for m in members}
    c = Community(community, token, members, addresses, activity, starts)
    for number in range(1, EPOCHS):
        await _honest_epoch(conn, c, rng, number)
        weighted, _ = await _score(conn, settings, c, number)
        paid: dict[int, int] = {}
        for line in weighted.lines.values():
            paid[line.item.author_id] = paid.get(line.item.author_id, 0) + line.amount
        await _mint(conn, c, paid, c.window(number)[1] + timedelta(minutes=1))
        log.info("epoch %d: %d lines, %d authors paid", number, len(weighted.lines), len(paid))
    c.last_posts = await _honest_epoch(conn, c, rng, EPOCHS)
    return c


async def _attack(
    conn: asyncpg.Connection, settings: Settings, c: Community, name: str
) -> dict[str, Any]:
    """The measured epoch with the attack `name` added, scored both ways, rolled back."""
    rng = random.Random(f"{SEED} {name}")
    start, _ = c.window(EPOCHS)
    fresh = start - timedelta(days=2)  # past the age gate, nothing held
    at = start + timedelta(hours=2)
    tx = conn.transaction()
    await tx.start()
    try:
        if name == "ring":
            accomplices, _ = await _users(conn, rng, 5, fresh)
            wallets, _ = await _users(conn, rng, 100, fresh)
            posts = await _posts(conn, c, [a for a in accomplices for _ in range(2)], at)
            await _votes(conn, [(p, w, 1) for w in wallets for p in posts], at)
            attackers = set(accomplices)
        elif name == "alts":
            owner = sorted(c.last_posts, key=lambda m: c.activity[m])[len(c.last_posts) // 2]
            alts, _ = await _users(conn, rng, 10, fresh)
            await _votes(conn, [(p, a, 1) for a in alts for p in c.last_posts[owner]], at)
            attackers = {owner}
        elif name == "trading":
            circle = rng.sample(sorted(c.last_posts), 10)
            await _votes(
                conn,
                [(p, m, 1) for m in circle for o in circle if o != m for p in c.last_posts[o]],
                at,
            )
            attackers = set(circle)
        elif name == "whale":
            supply = int(await conn.fetchval(Q.total_supply, c.token))
            (whale,), whale_address = await _users(conn, rng, 1, fresh)
            (friend,), _ = await _users(conn, rng, 1, fresh)
            c.addresses.update(whale_address)
            # Minted to it before the epoch: it holds 30% of the points at the start.
            held = int(supply * WHALE_POINTS / (1 - WHALE_POINTS))
            await _mint(conn, c, {whale: held}, start - timedelta(hours=1))
            posts = await _posts(conn, c, [friend], at)
            await _votes(conn, [(posts[0], whale, 1)], at)
            attackers = {friend}
        else:
            attackers = set()
        weighted, old = await _score(conn, settings, c, EPOCHS)
        co_voting = await epochs.co_voting_shares(conn, c.id, *c.window(EPOCHS)) or {}
    finally:
        await tx.rollback()
    return {"attackers": attackers, "weighted": weighted, "old": old, "co_voting": co_voting}


async def measure(settings: Settings) -> dict[str, Any]:
    database_url = await fresh_database(DATABASE)
    conn = await asyncpg.connect(database_url)
    try:
        # Votes keep the times the bench gives them (the triggers stamp them now).
        await conn.execute("ALTER TABLE post_votes DISABLE TRIGGER USER")
        c = await _history(conn, settings)
        base = await _attack(conn, settings, c, "baseline")
        runs = {name: await _attack(conn, settings, c, name) for name in ATTACKS}
    finally:
        await conn.close()
    honest = sorted(set(base["weighted"].lines) | set(base["old"].lines))

    def amount(outcome: Outcome, post: int) -> float:
        line = outcome.lines.get(post)
        return float(line.amount) if line else 0.0

    rho = spearman(
        [amount(base["weighted"], p) for p in honest], [amount(base["old"], p) for p in honest]
    )
    ring, alts, trading, whale = (runs[name] for name in ATTACKS)

    def gain(run: dict[str, Any], way: str) -> float:
        return run[way].share(run["attackers"]) - base[way].share(run["attackers"])

    def ratio(run: dict[str, Any], way: str) -> float | None:
        honest_share = base[way].share(run["attackers"])
        return run[way].share(run["attackers"]) / honest_share if honest_share else None

    circle_lines = [
        line
        for line in trading["weighted"].lines.values()
        if line.item.author_id in trading["attackers"]
    ]
    circle_co_voting = [
        float(trading["co_voting"].get(("post", line.item.id), 0)) for line in circle_lines
    ]
    figures = {
        "members": MEMBERS,
        "epochs": EPOCHS,
        "measured_epoch": {
            "lines": len(base["weighted"].lines),
            "authors": len({line.item.author_id for line in base["weighted"].lines.values()}),
        },
        "ring": {
            "weighted": ring["weighted"].share(ring["attackers"]),
            "old": ring["old"].share(ring["attackers"]),
            "target": RING_TARGET,
        },
        "alts": {
            "weighted": gain(alts, "weighted"),
            "old": gain(alts, "old"),
            "target": ALTS_TARGET,
        },
        "trading": {
            "weighted": ratio(trading, "weighted"),
            "old": ratio(trading, "old"),
            "honest_share": base["weighted"].share(trading["attackers"]),
            "co_voting_share": (
                sum(circle_co_voting) / len(circle_co_voting) if circle_co_voting else None
            ),
            # The same signal on the honest lines of the baseline: its false alarms.
            "honest_co_voting_share": sum(
                float(base["co_voting"].get(("post", post), 0)) for post in base["weighted"].lines
            )
            / max(len(base["weighted"].lines), 1),
            "target": TRADING_TARGET,
        },
        "whale": {
            "weighted": whale["weighted"].share(whale["attackers"], before_caps=True),
            "weighted_after_caps": whale["weighted"].share(whale["attackers"]),
            "old": whale["old"].share(whale["attackers"], before_caps=True),
            "target": float(WHALE_POINTS),
        },
        "spearman": {"weighted": rho, "items": len(honest), "target": SPEARMAN_TARGET},
    }
    figures["met"] = {
        "ring": figures["ring"]["weighted"] <= RING_TARGET,
        "alts": figures["alts"]["weighted"] <= ALTS_TARGET,
        "trading": (figures["trading"]["weighted"] or 0) <= TRADING_TARGET,
        "whale": figures["whale"]["weighted"] < float(WHALE_POINTS),
        "spearman": rho >= SPEARMAN_TARGET,
    }
    return figures


ATTACKS = ("ring", "alts", "trading", "whale")


def run() -> dict[str, Any]:
    logging.getLogger("agora.ledger").setLevel(logging.WARNING)
    return asyncio.run(measure(Settings.from_env()))
