"""Migrations: applied in order, once, and reversible."""

from __future__ import annotations

from datetime import UTC, datetime

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


async def test_html_rendered_before_issue_15_loses_its_bidi_and_control_characters(
    fresh_database_url: str,
) -> None:
    # given a post whose HTML was stored with an override, an isolate, a mark and a control
    conn = await asyncpg.connect(fresh_database_url)
    try:
        user = await conn.fetchval(
            "INSERT INTO users (address) VALUES ('0x' || repeat('ab', 20)) RETURNING id"
        )
        community = await conn.fetchval(
            "INSERT INTO communities (name, title, creator_id) VALUES ('spoof', 'S', $1)"
            " RETURNING id",
            user,
        )
        body = "moc.elgoog\u202e \u2067x\u2069 \u200f\x07\n"
        await conn.execute(
            "INSERT INTO posts (community_id, author_id, title, body, body_html)"
            " VALUES ($1, $2, 'T', $3, $4)",
            community,
            user,
            body,
            f"<p>{body}</p>",
        )
        # when migration 0020 runs on it (reverted with those after it, then applied again)
        versions = [m.version for m in discover()]
        since = next(i for i, v in enumerate(versions) if v.startswith("0020_"))
        await migrate_down(conn, steps=len(versions) - since)
        await migrate_up(conn)
        # then the HTML holds none of them, and the text as written is kept
        row = await conn.fetchrow("SELECT body, body_html FROM posts")
        assert row["body_html"] == "<p>moc.elgoog x \n</p>"
        assert row["body"] == body
    finally:
        await conn.close()


async def test_search_documents_written_before_0037_are_found_after_it(
    fresh_database_url: str,
) -> None:
    # given, before migration 0037, a visible post with a comment and a removed post
    conn = await asyncpg.connect(fresh_database_url)
    try:
        versions = [m.version for m in discover()]
        since = next(i for i, v in enumerate(versions) if v.startswith("0037_"))
        await migrate_down(conn, steps=len(versions) - since)
        user = await conn.fetchval(
            "INSERT INTO users (address) VALUES ('0x' || repeat('cd', 20)) RETURNING id"
        )
        community = await conn.fetchval(
            "INSERT INTO communities (name, title, creator_id) VALUES ('gardens', 'G', $1)"
            " RETURNING id",
            user,
        )
        visible, removed = [
            await conn.fetchval(
                "INSERT INTO posts (community_id, author_id, title, body, body_html, removed_at)"
                " VALUES ($1, $2, $3, 'Tomatoes grow', '<p>Tomatoes grow</p>', $4) RETURNING id",
                community,
                user,
                title,
                removed_at,
            )
            for title, removed_at in (("Seeds", None), ("Spam", datetime.now(UTC)))
        ]
        comment = await conn.fetchval(
            "INSERT INTO comments (post_id, author_id, body, body_html, path)"
            " VALUES ($1, $2, 'Water daily', '<p>Water daily</p>', '{1}') RETURNING id",
            visible,
            user,
        )
        before = await conn.fetchval("SELECT search FROM posts WHERE id = $1", visible)
        # when it runs
        await migrate_up(conn)
        # then the visible post and its comment keep their documents, and only they are kept
        posts = await conn.fetch("SELECT post_id, document FROM post_search")
        assert [(r["post_id"], r["document"]) for r in posts] == [(visible, before)]
        assert removed not in {r["post_id"] for r in posts}
        assert await conn.fetchval(
            "SELECT document @@ to_tsquery('english', 'water') FROM comment_search"
            " WHERE comment_id = $1",
            comment,
        )
    finally:
        await conn.close()
