"""`DATABASE_READ_URL`: reads go to a hot standby of the database, writes to the primary, and a
writer reads the primary until the standby has replayed their write (by LSN). A standby that
lags still serves those who did not write; one that is down sends every read to the primary,
said once in the log, and once when it is back.

One primary and one standby (`pg_basebackup -R`) for the module, on ports of their own. The
server's caches are off here, so that every read reaches a database; what the standby serves is
told by writing straight to the primary while the standby's replay is paused.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from agora.migrate import migrate_up
from agora.settings import Settings
from tests.api.test_redis_restart import eventually, said
from tests.support.factories import create_community, create_post
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server
from tests.support.standby import Replicated, start_replicated

TITLE = "query($c: String!) { community(name: $c) { title } }"
VIEWER = "{ viewer { user { id } } }"
UNREACHABLE = "is unreachable"
BACK = "is back; reads go to it again"
DATABASE = f"agora_replica_{os.getpid()}"


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    servers = start_replicated()

    async def create() -> None:
        conn = await asyncpg.connect(servers.primary.url())
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
        await conn.close()
        conn = await asyncpg.connect(servers.primary.url(DATABASE))
        await migrate_up(conn)
        await conn.close()

    asyncio.run(create())
    yield servers
    servers.close()


@pytest.fixture(scope="module")
def replica_server(
    settings: Settings, replicated: Replicated, redis_url: str
) -> Iterator[LiveServer]:
    server = start_server(
        settings,
        database_url=replicated.primary.url(DATABASE),
        database_read_url=replicated.standby.url(DATABASE),
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        listing_cache_seconds=0.0,
    )
    yield server
    server.stop()


@pytest.fixture
async def primary(replicated: Replicated) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(replicated.primary.url(DATABASE))
    yield conn
    await conn.close()


@pytest.fixture
async def standby(replicated: Replicated) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(replicated.standby.url(DATABASE))
    yield conn
    await conn.execute("SELECT pg_wal_replay_resume()")
    await conn.close()


async def replayed_all(primary: asyncpg.Connection, standby: asyncpg.Connection) -> None:
    """Until the standby has replayed everything the primary wrote so far."""
    target = await primary.fetchval("SELECT pg_current_wal_insert_lsn()::text")
    query = "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn"
    for _ in range(100):
        if await standby.fetchval(query, target):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the standby did not catch up")


async def title(client: Client, community: str) -> str:
    return str((await client.data(TITLE, {"c": community}))["community"]["title"])


async def known_caught_up(server: LiveServer, *readers: Client, community: str) -> None:
    """Each reader reads once, and the server has had time to read the standby's position
    again (a writer's read asks for it, in the background)."""
    for _ in range(2):
        for reader in readers:
            await title(reader, community)
        await asyncio.sleep(0.3)


async def test_a_lagging_replica_serves_readers_but_a_writer_reads_their_own_write(
    replica_server: LiveServer,
    primary: asyncpg.Connection,
    standby: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        anonymous = Client(replica_server.graphql_url, http)
        alice = await sign_in(Client(replica_server.graphql_url, http))
        bob = await sign_in(Client(replica_server.graphql_url, http))
        # given alice's community, on the standby too, and a standby that stops replaying
        name = (await create_community(alice, confirmed=False, title="First"))["name"]
        await replayed_all(primary, standby)
        await known_caught_up(replica_server, alice, bob, community=name)
        await standby.execute("SELECT pg_wal_replay_pause()")
        # when the title changes on the primary alone
        update = "UPDATE communities SET title = $2 WHERE name = $1"
        await primary.execute(update, name, "Changed on the primary")
        # then every reader still reads the standby: alice too, who wrote nothing since
        for reader in (anonymous, bob, alice):
            assert await title(reader, name) == "First"
        # when alice writes (through the API), the standby still paused
        await create_post(alice, name, title="Hers")
        # then alice reads the primary (which has the change), and the others the standby
        assert await title(alice, name) == "Changed on the primary"
        assert await title(bob, name) == "First"
        assert await title(anonymous, name) == "First"
        # and someone who signs in now finds their new account, which only the primary has
        carol = await sign_in(Client(replica_server.graphql_url, http))
        assert await carol.data(VIEWER) == {"viewer": {"user": {"id": carol.user_id}}}
        # when the standby replays again, and has replayed her write
        await standby.execute("SELECT pg_wal_replay_resume()")
        await replayed_all(primary, standby)
        # then everyone reads the change from it
        for reader in (anonymous, bob, alice):
            assert await eventually(lambda r=reader: reads(r, name, "Changed on the primary"))
        # and alice reads the standby again: what it has not replayed, she does not see
        await known_caught_up(replica_server, alice, community=name)
        await standby.execute("SELECT pg_wal_replay_pause()")
        await primary.execute(update, name, "Changed again")
        assert await title(alice, name) == "Changed on the primary"


async def reads(reader: Client, community: str, expected: str) -> bool:
    return await title(reader, community) == expected


async def test_a_replica_that_is_down_sends_reads_to_the_primary_and_the_log_says_so_once(
    replica_server: LiveServer,
    replicated: Replicated,
    primary: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="agora.api")
    async with httpx.AsyncClient(timeout=30) as http:
        anonymous = Client(replica_server.graphql_url, http)
        alice = await sign_in(Client(replica_server.graphql_url, http))
        name = (await create_community(alice, confirmed=False, title="Before"))["name"]
        # given a standby that is down
        replicated.standby.stop()
        try:
            # when the title changes on the primary, and readers read several times
            await primary.execute("UPDATE communities SET title = 'After' WHERE name = $1", name)
            for _ in range(3):
                for reader in (anonymous, alice):
                    # then every read is answered, by the primary
                    assert await title(reader, name) == "After"
            # and the log said once that the replica is unreachable
            assert said(caplog, UNREACHABLE) == 1, caplog.text
        finally:
            replicated.standby.start()
        # when it is back, then reads go to it again, which the log says once
        assert await eventually(lambda: _said_after_read(caplog, anonymous, name)), caplog.text
        for _ in range(3):
            assert await title(anonymous, name) == "After"
        assert said(caplog, BACK) == 1
        assert said(caplog, UNREACHABLE) == 1


async def _said_after_read(caplog: pytest.LogCaptureFixture, reader: Client, name: str) -> bool:
    await title(reader, name)
    return said(caplog, BACK) == 1
