"""Fixtures shared by every test: real PostgreSQL, real Redis, a real server over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
import redis

from agora import services
from agora.migrate import migrate_up, with_database
from agora.settings import Settings
from tests.support.graphql import Client, sign_in
from tests.support.server import LiveServer, start_server

TEST_DATABASE = "agora_test"
TEST_REDIS_DB = 9


def _recreate_database(server_url: str) -> str:
    async def recreate() -> str:
        conn = await asyncpg.connect(server_url)
        try:
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
def database_url(settings: Settings) -> str:
    server = services.resolve_postgres(settings.database_url, settings.data_dir)
    return _recreate_database(server.url)


@pytest.fixture(scope="session")
def redis_url(settings: Settings) -> str:
    found = services.resolve_redis(settings.redis_url, settings.data_dir).url
    url = found.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def live_server(settings: Settings, database_url: str, redis_url: str) -> Iterator[LiveServer]:
    """The real app (API and built frontend) on a free port; the base URL is `live_server.url`."""
    server = start_server(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        write_rate_limit=1_000_000,
        count_queries=True,
    )
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
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
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection, for asserting what the database holds."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
