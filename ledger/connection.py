"""The ledger's own database connection (its tasks and commands run one each, not a pool)."""

from __future__ import annotations

import asyncpg

from agora.settings import Settings


async def connect(database_url: str, settings: Settings) -> asyncpg.Connection:
    """A connection with the services' timeouts, named so pg_stat_activity shows the ledger."""
    return await asyncpg.connect(
        database_url,
        server_settings={
            "application_name": "agora-ledger",
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "lock_timeout": str(settings.db_lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(settings.db_idle_in_transaction_timeout_ms),
        },
    )
