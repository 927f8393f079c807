"""Migrations: applied in order, once, and reversible."""

from __future__ import annotations

import asyncpg

from agora.migrate import discover, migrate_down, migrate_up, with_database

SCHEMA = """
SELECT table_name, column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'public' ORDER BY table_name, column_name
"""


async def test_migrations_apply_once_and_revert_to_nothing(postgres_server_url: str) -> None:
    # given an empty database
    name = "agora_migrations_check"
    admin = await asyncpg.connect(postgres_server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    conn = await asyncpg.connect(with_database(postgres_server_url, name))
    try:
        # when applied twice
        first = await migrate_up(conn)
        second = await migrate_up(conn)
        applied_schema = await conn.fetch(SCHEMA)
        # then the second run applies nothing
        assert first == [m.version for m in discover()]
        assert second == []
        # and reverting every migration leaves only the ledger of migrations
        await migrate_down(conn, steps=len(first))
        left = {r["table_name"] for r in await conn.fetch(SCHEMA)}
        assert left == {"schema_migrations"}
        # and applying again gives the same schema
        await migrate_up(conn)
        assert await conn.fetch(SCHEMA) == applied_schema
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_urls_keep_their_socket_host() -> None:
    assert with_database("postgresql://u@h:5432/postgres", "agora") == "postgresql://u@h:5432/agora"
    assert (
        with_database("postgresql://postgres:@/postgres?host=/tmp/sock", "agora")
        == "postgresql://postgres:@/agora?host=/tmp/sock"
    )
