"""Closing reward epochs: score, split and book, in one transaction per epoch. Once the epoch's
review window has passed, ledger/release.py releases it (its mints queued by ledger/mints.py),
and ledger/settlement.py books what the sender mined.

Running it twice, or in two workers at once, is harmless: each epoch is closed under its row lock
and only while still open, and every row it writes has a key derived from the epoch (the
transfers' ids), so a second payout cannot commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import asyncpg

from agora.settings import Settings
from agora.sql import load
from ledger import journal, release, rewards

log = logging.getLogger("agora.ledger")

queries = load(__file__, "epochs.sql")

# The farming signals shown to moderators (docs/rewards.md): voters below this many
# whole points have little standing; a co-voter upvoted at least CO_VOTING_MIN_AUTHORS authors,
# a set that overlaps (Jaccard index >= CO_VOTING_JACCARD) with that of CO_VOTING_PEERS others.
LOW_STANDING_POINTS = 10
CO_VOTING_JACCARD = 0.5
CO_VOTING_MIN_AUTHORS = 3
CO_VOTING_PEERS = 3
# A vote on an author who upvoted the voter back in the same epoch (a reciprocal vote) carries
# this part of its weight; the rest of it is lost to the voter, not moved to their other votes
# (docs/rewards.md: a trading circle).
RECIPROCAL_FACTOR = 0.5
# Weights are scored in millionths; the signals are stored with as many decimals.
SIGNAL_DECIMALS = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Closed:
    community_id: int
    number: int
    emission: int
    distributed: int
    recipients: int


async def _clock(conn: asyncpg.Connection) -> datetime:
    """The database's clock, which also stamps the votes."""
    at: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return at


def _emission(settings: Settings, number: int) -> int:
    return rewards.emission(
        number,
        base=settings.reward_emission,
        decay_epochs=settings.reward_decay_epochs,
        decay_factor=settings.reward_decay_factor,
    )


# The parameters of release.release_reviewed_epochs, by design (celery_app._DueStep runs both).
async def close_due_epochs(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    until: datetime | None = None,
    community_id: int | None = None,
    connect_scorer: Callable[[], Awaitable[asyncpg.Connection]] | None = None,
) -> list[Closed]:
    """Open the first epoch of every community with a token, then close every epoch that ended
    at least `reward_close_grace_seconds` ago. With `until`, open epochs first end at that
    instant (the operator's lever), and their close waits until the grace after it has passed.
    `connect_scorer` opens a connection of the caller's to the same database that scores a share
    of the due communities beside `conn` when there are several (`score_epochs`), closed after."""
    at: datetime = until or await _clock(conn)
    await conn.execute(
        queries.open_first_epochs, settings.reward_epoch_seconds, at, _emission(settings, 1)
    )
    grace = timedelta(seconds=settings.reward_close_grace_seconds)
    if until is not None:
        await conn.execute(queries.end_open_epochs_at, until, community_id)
        wait = (until + grace - await _clock(conn)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
    # A vote's time is its transaction's start: a vote cast just before an epoch's end may
    # commit after it. Each vote is one statement, bounded by the statement timeout, shorter
    # than the grace: once the grace has passed, every vote of the window is committed (or never
    # will be), and the scoring below sees them all.
    closed = []
    due = await conn.fetch(queries.due_epochs, await _clock(conn) - grace, community_id)
    # Every due epoch scored by one query (one read of the votes), before the epochs are locked
    # one by one: a vote counts if it was cast in the window, and windows are in the past, so the
    # scores are those a query under each lock would find, except for a vote withdrawn meanwhile,
    # which a query under the lock could miss just as well a moment later.
    windows = [(r["community_id"], r["starts_at"], r["ends_at"]) for r in due]
    if connect_scorer is not None and len(windows) > 1:
        scorer = await connect_scorer()
        try:
            scores = await score_epochs(conn, settings, windows, scorers=[scorer])
        finally:
            await scorer.close()
    else:
        scores = await score_epochs(conn, settings, windows)
    for row in due:
        result = await close_epoch(
            conn,
            settings,
            row["community_id"],
            row["number"],
            scored=Scored(row["starts_at"], row["ends_at"], scores.get(row["community_id"], [])),
        )
        if result is not None:
            closed.append(result)
    # A window of zero (or one that ended while the ledger was down) mints in the same run.
    await release.release_reviewed_epochs(conn, settings, community_id=community_id)
    return closed


@dataclass(frozen=True, slots=True)
class Scored:
    """The items that scored in the window from `starts_at` to `ends_at` of a community."""

    starts_at: datetime
    ends_at: datetime
    items: list[rewards.Item]


async def score_epochs(
    conn: asyncpg.Connection,
    settings: Settings,
    windows: list[tuple[int, datetime, datetime]],
    *,
    scorers: Sequence[asyncpg.Connection] = (),
) -> dict[int, list[rewards.Item]]:
    """The items that scored in each (community, starts, ends) window, by community: their votes
    weighted by the voters' standing at the window's start, and the moderators' signals.

    `scorers`: more connections to the same database, outside any transaction, each scoring a
    share of the communities while `conn` scores its own. The scoring's per-voter steps (a sort
    and two window aggregates over every eligible vote) run in one process per statement,
    PostgreSQL running window functions in no parallel worker: a statement per connection is what
    spreads them over the cores (tests/bench/README.md, "Rewards"). Their transactions see what
    was committed: a caller whose votes are not (a test's transaction) scores on `conn` alone."""
    if not windows:
        return {}
    communities, starts, _ = zip(*windows, strict=True)
    standing = await conn.fetch(queries.standings, list(communities), list(starts))
    shares = await _shares(conn, windows, 1 + len(scorers))
    scored: dict[int, list[rewards.Item]] = {}
    # Each share's items are made as soon as its connection answers, while the others still score.
    tasks = [
        asyncio.ensure_future(_score(each, settings, share, standing, scored))
        for each, share in zip((conn, *scorers), shares, strict=False)
    ]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # No connection is left scoring for a close that has failed, and the failure is raised
        # as itself (not in a group: the worker retries by its type).
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return scored


async def _shares(
    conn: asyncpg.Connection, windows: list[tuple[int, datetime, datetime]], count: int
) -> list[list[tuple[int, datetime, datetime]]]:
    """The windows dealt into at most `count` shares of about the same number of posts, the
    largest community first to the share with the fewest (a community's votes are never split:
    its budgets and returned votes are counted over all of them)."""
    if count == 1 or len(windows) == 1:
        return [windows]
    posts = {
        r["id"]: r["post_count"]
        for r in await conn.fetch(queries.community_posts, [w[0] for w in windows])
    }
    shares: list[list[tuple[int, datetime, datetime]]] = [[] for _ in range(count)]
    loads = [0] * count
    for window in sorted(windows, key=lambda w: posts.get(w[0], 0), reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(window)
        loads[lightest] += posts.get(window[0], 0)
    return [share for share in shares if share]


async def _score(
    conn: asyncpg.Connection,
    settings: Settings,
    windows: list[tuple[int, datetime, datetime]],
    standing: list[asyncpg.Record],
    scored: dict[int, list[rewards.Item]],
) -> None:
    """`epoch_scores` of these windows on this connection, their items into `scored`."""
    communities, starts, ends = zip(*windows, strict=True)
    share = set(communities)
    standing = [h for h in standing if h["community_id"] in share]
    # A community without a holder at its epoch's start bootstraps: every voter weighs one.
    bootstrap = share - {h["community_id"] for h in standing}
    # In a transaction of its own, rolled back once read: it only reads, and the rollback ends
    # its settings also when it is a savepoint of an epoch's close (a SET LOCAL in a savepoint
    # released would last until the close's transaction ends).
    scoring = conn.transaction()
    await scoring.start()
    try:
        await conn.execute(queries.scoring_settings)
        rows = await conn.fetch(
            queries.epoch_scores,
            list(communities),
            list(starts),
            list(ends),
            float(settings.reward_min_account_age_seconds),
            min(starts),
            max(ends),
            [community in bootstrap for community in communities],
            [h["community_id"] for h in standing],
            [h["address"] for h in standing],
            [rewards.vote_weight(h["points"]) for h in standing],
            [h["points"] < LOW_STANDING_POINTS for h in standing],
            RECIPROCAL_FACTOR,
        )
    finally:
        await scoring.rollback()
    # Item._make: a named tuple built from a tuple, at a tuple's cost (its class call is slower).
    item = rewards.Item._make
    for r in rows:
        scored.setdefault(r["community_id"], []).append(
            item(
                (
                    r["kind"],
                    r["id"],
                    r["author_id"],
                    r["votes"],
                    r["score"],
                    r["weight"],
                    _part(r["low_standing_weight"], r["up_weight"]),
                )
            )
        )


def _part(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    # The two commonest answers (a line all of whose upvoters have little standing, or none
    # has), without the division: hundreds of thousands of items.
    if part == whole:
        return _ALL
    if not part:
        return _NONE
    return (Decimal(part) / Decimal(whole)).quantize(SIGNAL_DECIMALS)


_ALL = Decimal(1).quantize(SIGNAL_DECIMALS)
_NONE = Decimal(0).quantize(SIGNAL_DECIMALS)


async def close_epoch(
    conn: asyncpg.Connection,
    settings: Settings,
    community_id: int,
    number: int,
    *,
    scored: Scored | None = None,
) -> Closed | None:
    """Close one epoch if it is still open; None when another run closed it first. `scored`:
    the community's items already scored over a window, used if it is the epoch's."""
    async with conn.transaction():
        epoch = await conn.fetchrow(queries.lock_epoch, community_id, number)
        if epoch is None or epoch["status"] != "open":
            return None
        emission = int(epoch["emission"])
        if (
            scored is not None
            and scored.starts_at == epoch["starts_at"]
            and scored.ends_at == epoch["ends_at"]
        ):
            items = scored.items
        else:
            window = [(community_id, epoch["starts_at"], epoch["ends_at"])]
            items = (await score_epochs(conn, settings, window)).get(community_id, [])
        lines = rewards.split(
            emission,
            items,
            max_item_share=settings.reward_max_item_share,
            max_author_share=settings.reward_max_author_share,
        )
        earned: dict[int, int] = {}
        for line in lines:
            if line.amount:
                earned[line.item.author_id] = earned.get(line.item.author_id, 0) + line.amount
        distributed = sum(earned.values())
        await _book(conn, community_id, number, emission, earned)
        co_voting = await co_voting_shares(conn, community_id, epoch["starts_at"], epoch["ends_at"])
        await _record_lines(conn, community_id, number, lines, co_voting)
        # The mints wait for the review's end (`release_reviewed_epochs`).
        await conn.execute(
            queries.close_epoch,
            community_id,
            number,
            # Nothing to mint: paid as it closes.
            "review" if earned else "paid",
            Decimal(distributed),
            Decimal(emission - distributed),
            len(earned),
            float(settings.reward_review_seconds),
        )
        await conn.execute(
            queries.open_next_epoch,
            community_id,
            number,
            settings.reward_epoch_seconds,
            await _clock(conn),
            _emission(settings, number + 1),
        )
    log.info(
        "epoch %d of community %d closed: %d of %d base units to %d authors",
        number,
        community_id,
        distributed,
        emission,
        len(earned),
    )
    return Closed(community_id, number, emission, distributed, len(earned))


async def _book(
    conn: asyncpg.Connection,
    community_id: int,
    number: int,
    emission: int,
    earned: dict[int, int],
) -> None:
    """The emission into the pool, then each author's reward out of it into their account."""
    users = sorted(earned)
    accounts = await journal.open_accounts(
        conn,
        community_id,
        [("emission", None), ("pool", None), *(("earned", user) for user in users)],
    )
    if emission:
        await journal.post(
            conn,
            community_id,
            "emission",
            number,
            [
                journal.Transfer(
                    journal.epoch_transfer_id(community_id, number, "emission"),
                    accounts["emission", None],
                    accounts["pool", None],
                    emission,
                )
            ],
        )
    await journal.post(
        conn,
        community_id,
        "reward",
        number,
        [
            journal.Transfer(
                journal.epoch_transfer_id(community_id, number, f"reward:{user}"),
                accounts["pool", None],
                accounts["earned", user],
                earned[user],
            )
            for user in users
        ],
    )


async def co_voting_shares(
    conn: asyncpg.Connection, community_id: int, starts_at: datetime, ends_at: datetime
) -> dict[tuple[str, int], Decimal] | None:
    """Per item of the window with upvotes from co-voters, the share of its upvotes they cast
    (the moderators' signal of a ring; docs/rewards.md). Inside a transaction. None
    when it took longer than the statement timeout: a signal must never keep an epoch from
    closing (its lines then have no co-voting figure)."""
    await conn.execute(queries.plan_each_call)
    try:
        async with conn.transaction():
            rows = await conn.fetch(
                queries.co_voting_shares,
                community_id,
                starts_at,
                ends_at,
                CO_VOTING_JACCARD,
                CO_VOTING_MIN_AUTHORS,
                CO_VOTING_PEERS,
            )
    except asyncpg.QueryCanceledError:
        log.warning("the co-voting signal of community %d timed out: left out", community_id)
        return None
    return {(r["kind"], r["id"]): r["share"] for r in rows}


async def _record_lines(
    conn: asyncpg.Connection,
    community_id: int,
    number: int,
    lines: list[rewards.Line],
    co_voting: dict[tuple[str, int], Decimal] | None,
) -> None:
    if not lines:
        return
    await conn.execute(
        queries.insert_reward_lines,
        community_id,
        number,
        [line.item.id if line.item.kind == "post" else None for line in lines],
        [line.item.id if line.item.kind == "comment" else None for line in lines],
        [line.item.author_id for line in lines],
        [line.item.votes for line in lines],
        [line.item.score for line in lines],
        [str(line.share) for line in lines],
        [str(line.amount) for line in lines],
        [line.item.weight for line in lines],
        [line.item.low_standing for line in lines],
        [
            None if co_voting is None else co_voting.get((line.item.kind, line.item.id), Decimal(0))
            for line in lines
        ],
    )
