"""Apply the plain-SQL migrations under agora/migrations in order, each in its own transaction.

Each migration is a folder `NNNN_name/` with `up.sql` and `down.sql`. Applied versions are recorded
in `schema_migrations`, so running twice applies nothing the second time; an advisory lock keeps
two services starting at once from racing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import asyncpg

log = logging.getLogger("agora.migrate")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x4A60_7A  # any constant shared by every Agora process

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    up: Path
    down: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return [
        Migration(folder.name, folder / "up.sql", folder / "down.sql")
        for folder in sorted(p for p in directory.iterdir() if p.is_dir() and p.name[:4].isdigit())
    ]


async def migrate_up(conn: asyncpg.Connection) -> list[str]:
    """Apply every migration not yet recorded; return the versions applied."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_CREATE_LEDGER)
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for migration in discover():
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.up.read_text())
                await conn.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)", migration.version
                )
            log.info("applied migration %s", migration.version)
            applied_now.append(migration.version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


async def migrate_down(conn: asyncpg.Connection, *, steps: int = 1) -> list[str]:
    """Revert the `steps` most recent migrations."""
    reverted: list[str] = []
    by_version = {m.version: m for m in discover()}
    rows = await conn.fetch(
        "SELECT version FROM schema_migrations ORDER BY version DESC LIMIT $1", steps
    )
    for row in rows:
        migration = by_version[row["version"]]
        async with conn.transaction():
            await conn.execute(migration.down.read_text())
            await conn.execute("DELETE FROM schema_migrations WHERE version = $1", row["version"])
        reverted.append(row["version"])
    return reverted


async def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server of `server_url` if missing; return its URL."""
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # CREATE DATABASE takes no parameters; `name` comes from our own settings.
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


def with_database(url: str, name: str) -> str:
    """Return `url` pointing at database `name` (keeping any query string, e.g. a socket host)."""
    base, sep, query = url.partition("?")
    scheme_host, _, _ = base.rpartition("/")
    if scheme_host.endswith(":/"):  # "postgresql://" with no host part before the path
        scheme_host = base.rstrip("/")
    return f"{scheme_host}/{name}{sep}{query}"
