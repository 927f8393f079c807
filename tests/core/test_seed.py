"""`agora seed` fills a fresh forum with demo content, once."""

from __future__ import annotations

import asyncpg

from agora.migrate import migrate_up, with_database
from api.seed import COMMUNITIES, DEMO_NAMES, dev_accounts, seed


async def test_seed_adds_demo_content_once(postgres_server_url: str) -> None:
    name = "agora_seed_check"
    admin = await asyncpg.connect(postgres_server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(postgres_server_url, name)
    try:
        conn = await asyncpg.connect(url)
        await migrate_up(conn)
        # when seeded twice
        await seed(url)
        await seed(url)
        # then
        assert await conn.fetchval("SELECT count(*) FROM communities") == len(COMMUNITIES)
        assert await conn.fetchval("SELECT count(*) FROM posts") == 3 * len(COMMUNITIES)
        assert await conn.fetchval("SELECT count(*) FROM comments") == 9 * len(COMMUNITIES)
        assert await conn.fetchval(
            "SELECT bool_and(score = (SELECT coalesce(sum(value), 0) FROM post_votes v"
            " WHERE v.post_id = p.id)) FROM posts p"
        )
        # and each community's creation on-chain is queued once for the operator's sender
        assert await conn.fetchval(
            "SELECT count(*) FROM operator_transactions"
            " WHERE kind = 'create_community' AND status = 'pending'"
        ) == len(COMMUNITIES)
        # and nobody moderates them until the chain says so (the indexer's mirror)
        assert await conn.fetchval("SELECT count(*) FROM moderators") == 0
        first = await conn.fetchval("SELECT address FROM users ORDER BY id LIMIT 1")
        assert first == dev_accounts(1)[0].lower()
        # and the demo people have names, which the forum shows instead of their addresses
        names = await conn.fetch("SELECT display_name FROM users ORDER BY id")
        assert [r["display_name"] for r in names] == list(DEMO_NAMES)
        await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
