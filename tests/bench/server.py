"""The server under test, started exactly as production starts it: the `agora serve` console
script in a subprocess (one uvicorn worker unless `extra_env` asks for AGORA_WORKERS), configured
by the environment only."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount

from agora.services import free_port
from tests.bench import config
from tests.support.graphql import Client, sign_in


@dataclass
class AgoraServer:
    database_url: str
    listing_cache_seconds: float | None = None  # None: the production default
    log_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    command: list[str] | None = None  # default: [agora, "serve"]

    def __post_init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Nothing of the caller's configuration leaks in: same as a production unit file.
        for name in ("COUNT_QUERIES", "AGORA_DEBUG", "LISTING_CACHE_SECONDS"):
            env.pop(name, None)
        origin = f"127.0.0.1:{self.port}"
        env.update(
            DATABASE_URL=config.check_local(self.database_url),
            REDIS_URL=config.check_local(config.REDIS_URL),
            AGORA_HOST="127.0.0.1",
            AGORA_PORT=str(self.port),
            SIWE_DOMAIN=origin,
            SIWE_URI=f"http://{origin}",
            WRITE_RATE_LIMIT="100000000",
            # One worker unless a bench asks for more (extra_env): figures per worker.
            AGORA_WORKERS="1",
        )
        if self.listing_cache_seconds is not None:
            env["LISTING_CACHE_SECONDS"] = str(self.listing_cache_seconds)
        env.update(self.extra_env)
        return env

    def start(self) -> AgoraServer:
        command = self.command or [str(config.AGORA), "serve"]
        output: Any = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = output = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=self.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=config.PROJECT_ROOT,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not answer /healthz within 120 s")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), then SIGKILL if it lingers; this process only."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> AgoraServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bench_account(name: str) -> LocalAccount:
    """A fixed key per name: reruns sign the same people in (no new users piling up)."""
    return Account.from_key(hashlib.sha256(f"agora-bench:{name}".encode()).digest())


async def sign_in_many(server: AgoraServer, names: list[str]) -> list[Client]:
    """Bearer tokens through the real sign-in flow (challenge, wallet signature, signIn)."""
    clients = []
    async with httpx.AsyncClient(timeout=30) as http:
        for name in names:
            client = await sign_in(Client(server.graphql_url, http), bench_account(name))
            clients.append(client)
    return clients
