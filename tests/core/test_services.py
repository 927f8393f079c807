"""Finding PostgreSQL and Redis: configured, local, or embedded when none answers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import asyncpg
import pytest
import redis

from agora import services
from agora.services import free_port


def test_a_configured_url_wins(tmp_path: Path) -> None:
    found = services.resolve_redis("redis://example:1/0", tmp_path)
    assert found == services.ResolvedService("redis://example:1/0", "environment")


def test_a_local_server_is_used_when_it_answers(tmp_path: Path) -> None:
    assert services.resolve_redis(None, tmp_path).source == "local"
    assert services.resolve_postgres(None, tmp_path).source == "local"


def test_an_embedded_redis_starts_where_none_answers(tmp_path: Path) -> None:
    # given no Redis on the local port
    port = free_port()
    # when
    found = services.resolve_redis(None, tmp_path, local_port=free_port(), embedded_port=port)
    # then
    client = redis.Redis.from_url(found.url)
    try:
        assert (found.source, found.started_here) == ("embedded", True)
        assert client.ping()
        # and asking again reuses it, as one this process did not start
        again = services.resolve_redis(None, tmp_path, local_port=free_port(), embedded_port=port)
        assert (again.url, again.started_here) == (found.url, False)
        # and it can be stopped, once
        assert services.stop_embedded_redis(tmp_path)
        assert not services.port_answers("127.0.0.1", port)
        assert not services.stop_embedded_redis(tmp_path)
    finally:
        if services.port_answers("127.0.0.1", port):
            client.shutdown(nosave=True)
        if services.embedded_data_dir(tmp_path) != tmp_path:  # root's, under /var/lib/agora
            shutil.rmtree(services.embedded_data_dir(tmp_path), ignore_errors=True)


async def test_an_embedded_postgres_starts_where_none_answers(tmp_path: Path) -> None:
    import pgserver

    # given no PostgreSQL on the local port
    found = services.resolve_postgres(None, tmp_path, local_port=free_port())
    pgdata = services.embedded_data_dir(tmp_path) / "postgres"
    try:
        # then
        assert (found.source, found.started_here) == ("embedded", True)
        conn = await asyncpg.connect(found.url)
        assert (await conn.fetchval("SHOW server_version")).startswith("16")
        await conn.close()
        # and it can be stopped, once
        assert services.stop_embedded_postgres(tmp_path)
        with pytest.raises(OSError):
            await asyncpg.connect(found.url)
        assert not services.stop_embedded_postgres(tmp_path)
    finally:
        server = pgserver.get_server(pgdata)
        server.cleanup_mode = "stop"
        server.cleanup()
        shutil.rmtree(pgdata.parent, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root's data goes elsewhere")
def test_roots_embedded_data_lives_under_var_lib(tmp_path: Path) -> None:
    assert services.embedded_data_dir(tmp_path).parent == Path("/var/lib/agora")
