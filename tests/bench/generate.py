"""A large forum, generated fast: bulk COPY with the heavy machinery switched off, then set-based
fix-ups, then indexes.

The dataset (defaults): 1,000 communities, 100,000 users, 1,000,000 posts and 10,000,000 votes in
its own database (`agora_bench`), created and migrated like any Agora database. It is generated
once and reused: a row in `bench_dataset` records what was generated, with which parameters and
how long it took; `--regenerate` drops the database and starts again.

How it is fast:
  * every row goes in by COPY (asyncpg's binary copy_records_to_table), generated in Python while
    PostgreSQL ingests the previous buffer;
  * the posts indexes (all but the primary key) and post_votes' primary key and index are dropped
    first and built once at the end, on sorted data, with a large maintenance_work_mem;
  * triggers are disabled on posts and post_votes (`DISABLE TRIGGER ALL`: the vote triggers and
    the foreign-key checks; the generator only makes consistent rows), so no per-row work;
  * scores, up/down counts, karma and community counts are then computed by set-based UPDATEs
    from aggregates of the vote rows (exactly what the triggers would have produced);
  * VACUUM ANALYZE at the end, so plans and index-only scans are those of a settled database.

Shape of the data, fixed by a seed:
  * users: random lower-case hex addresses, created during the year before the posts;
  * posts: spread uniformly over the past year (ids follow time), in communities of Zipf-like
    sizes (the largest holds ~6% of all posts), by uniformly random authors; 10% are links;
  * votes: unique per (post, user); per-post counts follow a Pareto law (most posts get a few
    votes, a few get tens of thousands); each post has its own up-vote probability (mostly
    positive, some controversial). Each vote is cast at a random time between its post's
    creation and the generation time, so votes too are spread over the year (the rewards bench
    scores epochs over them).
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import logging
import math
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from eth_utils import keccak

from agora.migrate import migrate_up
from governance import community_id
from tests.bench import config

log = logging.getLogger("bench.generate")

META_TABLE = "bench_dataset"
# Tables whose secondary indexes (and, for post_votes, primary key) are dropped during the load.
_REINDEXED = ("posts", "post_votes", "post_search")
_NO_TRIGGERS = ("posts", "post_votes", "communities", "memberships")
# Coprime with any user count that is not a multiple of these primes: the users voting on a post
# are start + j * stride (mod users), all distinct.
_STRIDES = (7, 11, 13, 101, 1009, 7919, 9973, 31337, 65537, 99991)


@dataclass(frozen=True, slots=True)
class Params:
    communities: int = 1_000
    users: int = 100_000
    posts: int = 1_000_000
    votes: int = 10_000_000
    seed: int = 20240601

    def scaled(self, factor: float) -> Params:
        if factor == 1:
            return self
        return replace(
            self,
            communities=max(10, round(self.communities * min(1.0, factor * 10))),
            users=max(100, round(self.users * factor)),
            posts=max(100, round(self.posts * factor)),
            votes=max(100, round(self.votes * factor)),
        )


@dataclass(slots=True)
class Dataset:
    """What `ensure` found or made."""

    database_url: str
    params: Params
    generated: bool
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    generated_at: str = ""


class _Phases:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def __call__(self, name: str) -> _Phase:
        return _Phase(self, name)


class _Phase:
    def __init__(self, owner: _Phases, name: str) -> None:
        self.owner, self.name = owner, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        log.info("  %s ...", self.name)

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self.start
        self.owner.times[self.name] = round(took, 2)
        log.info("  %s: %.1f s", self.name, took)


# ---- entry point -----------------------------------------------------------------------------


async def ensure(params: Params, *, regenerate: bool = False, name: str | None = None) -> Dataset:
    """The benchmark database, generated unless it already holds this dataset."""
    name = name or config.DATABASE
    url = config.database_url(name)
    if not regenerate:
        existing = await _existing(url)
        if existing is not None:
            found = Params(**existing["params"])
            if found != params:
                raise SystemExit(
                    f"database {name} holds another dataset ({found}); "
                    "run with --regenerate to replace it"
                )
            conn = await asyncpg.connect(url)
            try:
                await migrate_up(conn)  # migrations added since: applied like a deploy would
            finally:
                await conn.close()
            return Dataset(
                url,
                found,
                False,
                existing["seconds"],
                existing["phases"],
                existing["generated_at"],
            )
    return await generate(params, name)


async def _existing(url: str) -> dict[str, Any] | None:
    server = await asyncpg.connect(config.check_local(config.POSTGRES_SERVER_URL))
    try:
        name = url.rsplit("/", 1)[1].split("?")[0]
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return None
    finally:
        await server.close()
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", META_TABLE):
            return None
        row = await conn.fetchrow(
            f"SELECT params, seconds, phases, generated_at FROM {META_TABLE} "
            "WHERE complete ORDER BY generated_at DESC LIMIT 1"
        )
    finally:
        await conn.close()
    if row is None:
        return None
    return {
        "params": json.loads(row["params"]),
        "seconds": row["seconds"],
        "phases": json.loads(row["phases"]),
        "generated_at": row["generated_at"].isoformat(),
    }


async def generate(params: Params, name: str) -> Dataset:
    log.info("generating %s into database %s", params, name)
    phases = _Phases()
    started = time.perf_counter()
    server = await asyncpg.connect(config.check_local(config.POSTGRES_SERVER_URL))
    try:
        with phases("create database"):
            await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    url = config.database_url(name)
    conn = await asyncpg.connect(url)
    try:
        with phases("migrate"):
            await migrate_up(conn)
        await conn.execute(
            f"""CREATE TABLE {META_TABLE} (
                   generated_at timestamptz NOT NULL DEFAULT now(),
                   params jsonb NOT NULL,
                   seconds double precision,
                   phases jsonb,
                   complete boolean NOT NULL DEFAULT false)"""
        )
        # This session only: bulk-load settings (nothing of the server's configuration changes).
        await conn.execute("SET synchronous_commit = off")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute("SET work_mem = '256MB'")
        await _load(conn, params, phases)
        seconds = round(time.perf_counter() - started, 1)
        generated_at = await conn.fetchval(
            f"INSERT INTO {META_TABLE} (params, seconds, phases, complete) "
            "VALUES ($1, $2, $3, true) RETURNING generated_at",
            json.dumps(asdict(params)),
            seconds,
            json.dumps(phases.times),
        )
    finally:
        await conn.close()
    log.info("generated in %.1f s", seconds)
    return Dataset(url, params, True, seconds, phases.times, generated_at.isoformat())


async def _mirror_creations(conn: asyncpg.Connection) -> None:
    """The mirror's rows of each community's creation on-chain (one block each, in id order):
    its CommunityCreated and its creator's ModeratorElected."""
    created, elected = [], []
    rows = await conn.fetch(
        "SELECT c.id, c.name, c.created_at, u.address FROM communities c "
        "JOIN users u ON u.id = c.creator_id ORDER BY c.id"
    )
    for block, row in enumerate(rows, start=1):
        name, stamp = row["name"], int(row["created_at"].timestamp())
        tx_hash = keccak(text=f"create {name}")
        chain_id = community_id(name)
        token, governor = keccak(text=f"token {name}")[:20], keccak(text=f"governor {name}")[:20]
        creator = bytes.fromhex(row["address"][2:])
        created.append(
            (chain_id, name, name.encode(), token, governor, creator, block, tx_hash, 0, stamp)
        )
        elected.append((chain_id, creator, True, block, tx_hash, 1, stamp))
    await conn.copy_records_to_table(
        "chain_communities",
        columns=[
            "community_id",
            "name",
            "name_raw",
            "token",
            "governor",
            "creator",
            "block_number",
            "tx_hash",
            "log_index",
            "block_timestamp",
        ],
        records=created,
    )
    await conn.copy_records_to_table(
        "chain_moderator_events",
        columns=[
            "community_id",
            "account",
            "elected",
            "block_number",
            "tx_hash",
            "log_index",
            "block_timestamp",
        ],
        records=elected,
    )


async def _load(conn: asyncpg.Connection, p: Params, phases: _Phases) -> None:
    rng = random.Random(p.seed)
    now = datetime.now(UTC).replace(microsecond=0)

    dropped = await _drop_indexes(conn)
    for table in _NO_TRIGGERS:
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    try:
        with phases("copy users"):
            await conn.copy_records_to_table(
                "users", columns=["address", "created_at"], records=_users(rng, p, now)
            )
            first_user = await _contiguous_ids(conn, "users", p.users)
        with phases("copy communities"):
            await conn.copy_records_to_table(
                "communities",
                columns=[
                    "name",
                    "title",
                    "description",
                    "description_html",
                    "creator_id",
                    "created_at",
                ],
                records=_communities(rng, p, now, first_user),
            )
            first_community = await _contiguous_ids(conn, "communities", p.communities)
            # Creators moderate their communities as the indexer mirrors their creation on-chain
            # (`moderators` is a view over the mirror), and belong to them.
            await _mirror_creations(conn)
            await conn.execute(
                "INSERT INTO memberships (community_id, user_id, joined_at) "
                "SELECT id, creator_id, created_at FROM communities"
            )
        with phases("copy posts"):
            await conn.copy_records_to_table(
                "posts",
                columns=[
                    "community_id",
                    "author_id",
                    "title",
                    "body",
                    "body_html",
                    "url",
                    "created_at",
                    "last_activity_at",
                ],
                records=_posts(rng, p, now, first_user, first_community),
            )
            first_post = await _contiguous_ids(conn, "posts", p.posts)
        with phases("search documents"):
            # what posts' trigger (disabled here) writes for each visible post (0037)
            await conn.execute(
                "INSERT INTO post_search (post_id, author_id, community_id, document)"
                " SELECT id, author_id, community_id, agora_post_document(title, body) FROM posts"
                " WHERE deleted_at IS NULL AND removed_at IS NULL"
            )
        with phases("copy votes"):
            created = [r[0] for r in await conn.fetch("SELECT created_at FROM posts ORDER BY id")]
            await conn.copy_records_to_table(
                "post_votes",
                columns=["post_id", "user_id", "value", "created_at"],
                records=_votes(rng, p, first_user, first_post, created, now),
            )
        with phases("aggregate scores"):
            await conn.execute(
                """UPDATE posts p
                      SET score = v.score, upvotes = v.ups, downvotes = v.downs
                     FROM (SELECT post_id, sum(value)::integer AS score,
                                  count(*) FILTER (WHERE value = 1)::integer AS ups,
                                  count(*) FILTER (WHERE value = -1)::integer AS downs
                             FROM post_votes GROUP BY post_id) v
                    WHERE p.id = v.post_id"""
            )
        with phases("aggregate karma and counts"):
            await conn.execute(
                """UPDATE users u SET post_karma = k.karma
                     FROM (SELECT author_id, sum(score)::integer AS karma
                             FROM posts GROUP BY author_id) k
                    WHERE u.id = k.author_id AND k.karma <> 0"""
            )
            await conn.execute(
                """UPDATE communities c
                      SET post_count = n.posts, member_count = n.authors + 1
                     FROM (SELECT community_id, count(*)::integer AS posts,
                                  count(DISTINCT author_id)::integer AS authors
                             FROM posts GROUP BY community_id) n
                    WHERE c.id = n.community_id"""
            )
    finally:
        for table in _NO_TRIGGERS:
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
    with phases("create indexes"):
        for statement in dropped:
            await conn.execute(statement)
    with phases("vacuum analyze"):
        for table in (
            "posts",
            "post_search",
            "post_votes",
            "users",
            "communities",
            "chain_communities",
            "chain_moderator_events",
            "memberships",
        ):
            await conn.execute(f"VACUUM (ANALYZE) {table}")


async def _drop_indexes(conn: asyncpg.Connection) -> list[str]:
    """Drop the load-slowing indexes; return the statements that recreate them as they were."""
    recreate: list[str] = []
    for table in _REINDEXED:
        rows = await conn.fetch(
            """SELECT i.indexrelid::regclass::text AS index, pg_get_indexdef(i.indexrelid) AS def,
                      c.conname, c.contype, pg_get_constraintdef(c.oid) AS condef
                 FROM pg_index i
                 LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                WHERE i.indrelid = $1::regclass""",
            table,
        )
        for row in rows:
            if row["contype"] is None:
                await conn.execute(f"DROP INDEX {row['index']}")
                recreate.append(row["def"])
            elif table == "post_votes":  # its primary key; posts' stays (votes reference it)
                await conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {row['conname']}")
                recreate.insert(
                    0, f"ALTER TABLE {table} ADD CONSTRAINT {row['conname']} {row['condef']}"
                )
    return recreate


async def _contiguous_ids(conn: asyncpg.Connection, table: str, expected: int) -> int:
    low, high, count = await conn.fetchrow(f"SELECT min(id), max(id), count(*) FROM {table}")
    if count != expected or high - low + 1 != count:
        raise RuntimeError(
            f"{table}: expected {expected} contiguous ids, got {low}..{high} ({count})"
        )
    return low


# ---- rows ------------------------------------------------------------------------------------

_WORDS = (
    "agora forum vote chain token governor proposal quorum ledger block gas wallet key market "
    "river mountain garden kitchen recipe bread coffee music guitar piano film novel poem "
    "history science physics rust python garden cycling running chess puzzle space rocket star "
    "planet ocean forest winter summer city train bridge camera photo design typeface paper "
    "engine robot model data query index cache latency throughput benchmark server client "
    "question answer idea story news update guide review tip trick hobby build project"
).split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 16))
    return " ".join(words).capitalize() + "."


def _users(rng: random.Random, p: Params, now: datetime) -> Iterator[tuple[Any, ...]]:
    start = now - timedelta(days=730)
    seen: set[str] = set()
    offsets = sorted(rng.random() * 365 * 86400 for _ in range(p.users))
    for offset in offsets:
        address = "0x" + rng.randbytes(20).hex()
        while address in seen:  # (never happens; kept so the unique index cannot fail)
            address = "0x" + rng.randbytes(20).hex()
        seen.add(address)
        yield address, start + timedelta(seconds=offset)


def _communities(
    rng: random.Random, p: Params, now: datetime, first_user: int
) -> Iterator[tuple[Any, ...]]:
    from api.core import markdown

    start = now - timedelta(days=730)
    for i in range(p.communities):
        topic = _WORDS[i % len(_WORDS)]
        description = " ".join(_sentence(rng) for _ in range(3))
        yield (
            f"{topic}_{i}",
            f"{topic.capitalize()} {i}",
            description,
            markdown.render(description),
            first_user + rng.randrange(p.users),
            start + timedelta(seconds=rng.random() * 365 * 86400),
        )


def _posts(
    rng: random.Random, p: Params, now: datetime, first_user: int, first_community: int
) -> Iterator[tuple[Any, ...]]:
    from api.core import markdown

    bodies = []
    for _ in range(256):
        text = "\n\n".join(
            " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 3))
        )
        bodies.append((text, markdown.render(text)))
    titles = [" ".join(rng.choices(_WORDS, k=rng.randint(3, 9))).capitalize() for _ in range(4096)]
    # Community sizes: Zipf-like (s = 0.8) over a shuffled order of the communities.
    order = list(range(p.communities))
    rng.shuffle(order)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(p.communities)))
    total = cumulative[-1]
    year = 365 * 86400
    offsets = sorted((rng.random() * year for _ in range(p.posts)), reverse=True)
    start = now
    for i, offset in enumerate(offsets):
        created = start - timedelta(seconds=offset)
        community = first_community + order[bisect.bisect(cumulative, rng.random() * total)]
        title = f"{titles[rng.randrange(4096)]} ({i})"
        if rng.random() < 0.1:
            body = body_html = None
            url = f"https://example.org/{_WORDS[i % len(_WORDS)]}/{i}"
        else:
            body, body_html = bodies[rng.randrange(256)]
            url = None
        yield (
            community,
            first_user + rng.randrange(p.users),
            title,
            body,
            body_html,
            url,
            created,
            created,
        )


def vote_counts(rng: random.Random, p: Params) -> list[int]:
    """How many votes each post gets: Pareto-distributed, summing to exactly `p.votes`, at most
    half the users per post."""
    cap = max(1, p.users // 2)
    weights = [rng.paretovariate(1.16) for _ in range(p.posts)]
    factor = p.votes / math.fsum(weights)
    counts = [min(cap, int(w * factor)) for w in weights]
    missing = p.votes - sum(counts)
    if missing > p.posts * cap:
        raise ValueError("more votes than (post, user) pairs")
    while missing > 0:
        i = rng.randrange(p.posts)
        if counts[i] < cap:
            counts[i] += 1
            missing -= 1
    return counts


def _votes(
    rng: random.Random,
    p: Params,
    first_user: int,
    first_post: int,
    created: list[datetime],
    now: datetime,
) -> Iterator[tuple[int, int, int, datetime]]:
    strides = [s for s in _STRIDES if math.gcd(s, p.users) == 1 and s < p.users] or [1]
    users = p.users
    counts = vote_counts(rng, p)
    rnd = rng.random
    for index, count in enumerate(counts):
        if not count:
            continue
        post_id = first_post + index
        start = rng.randrange(users)
        stride = rng.choice(strides)
        # Mostly liked, some controversial, a few disliked.
        up = rng.betavariate(6, 2)
        posted = created[index]
        span = (now - posted).total_seconds()
        for j in range(count):
            yield (
                post_id,
                first_user + (start + j * stride) % users,
                1 if rnd() < up else -1,
                posted + timedelta(seconds=rnd() * span),
            )


async def settle(database_url: str) -> None:
    """Clean up after writes (the vote benchmark) so every run reads the same database.

    This server runs with autovacuum off, and a plain VACUUM skips index cleanup when few pages
    have dead rows (PostgreSQL >= 14): thousands of votes on one post leave thousands of dead
    entries at the top of posts_hot, exactly where every front page starts (measured: 287
    buffers and 0.6 ms for the front page's index scan instead of 30 buffers and 0.1 ms).
    """
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("VACUUM (INDEX_CLEANUP ON, ANALYZE) posts")
        await conn.execute("VACUUM (ANALYZE) users")
        await conn.execute("VACUUM post_votes")
    finally:
        await conn.close()


def main(params: Params, *, regenerate: bool, name: str | None = None) -> Dataset:
    return asyncio.run(ensure(params, regenerate=regenerate, name=name))
