"""Reminders the beat writes: PROPOSAL_ENDING to the members of a community, and to whoever had
votes at the proposal's snapshot, who have not voted on a proposal whose vote ends within a day.
Safe to run twice or at once: a reminder is keyed by (person, proposal), so a second run writes
nothing."""

from __future__ import annotations

import asyncpg

from agora.sql import load

queries = load(__file__, "reminders.sql")

# How long before a vote ends its reminder goes out.
ENDING_WITHIN_SECONDS = 24 * 60 * 60


async def remind_proposals_ending(conn: asyncpg.Connection) -> int:
    """Write the reminders due; how many were written now."""
    written: int = await conn.fetchval(queries.notify_proposals_ending, ENDING_WITHIN_SECONDS)
    return written
