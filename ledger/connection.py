"""The ledger's own database connection (its tasks and commands run one each, not a pool)."""

from __future__ import annotations

import asyncpg

from agora.db import server_settings
from agora.settings import Settings


async def connect(database_url: str, settings: Settings) -> asyncpg.Connection:
    """A connection with the services' timeouts, named so pg_stat_activity shows the ledger.

    Not `agora.service.connect`: that one decodes jsonb into Python objects, and the ledger's
    queries pass and read their payloads as JSON text."""
    conn: asyncpg.Connection = await asyncpg.connect(
        database_url, server_settings=server_settings(settings, "agora-ledger")
    )
    return conn
