"""A real Agora server for tests: uvicorn in a thread, on a free port, on a fresh database."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import uvicorn
from starlette.applications import Starlette

from agora.services import free_port
from agora.settings import Settings
from api.server.app import create_app, server_options


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: Starlette
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def resources(self) -> Any:
        return self.app.state.resources

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(
    base: Settings, *, database_url: str, redis_url: str, **overrides: Any
) -> LiveServer:
    port = free_port()
    settings = replace(
        base,
        host="127.0.0.1",
        port=port,
        siwe_domain=f"127.0.0.1:{port}",
        siwe_uri=f"http://127.0.0.1:{port}",
        **overrides,
    )
    app = create_app(settings, database_url=database_url, redis_url=redis_url)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **server_options(settings),  # as `agora serve` runs it
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", settings, app, server, thread)
