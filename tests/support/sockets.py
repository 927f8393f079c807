"""A graphql-transport-ws client as a browser's would be: one socket, any number of operations,
every message it receives kept by operation id (read in the background, as a client must, or the
server's sends would back up)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.close_code: int | None = None
        self.close_reason = ""
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls, graphql_url: str, *, token: str | None = None, local_ip: str | None = None
    ) -> Socket:
        """A socket to `graphql_url`, signed in with `token` if given, from the loopback address
        `local_ip` if given; initialised (acknowledged) unless the server closed it at once."""
        connection = await websockets.connect(
            graphql_url.replace("http://", "ws://"),
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers={"Authorization": f"Bearer {token}"} if token else None,
            local_addr=(local_ip, 0) if local_ip else None,
            open_timeout=30,
        )
        socket = cls(connection)
        with contextlib.suppress(ConnectionClosed):  # refused: closed at once
            await socket.send({"type": "connection_init"})
        await socket.until(lambda: socket.acknowledged or socket.closed)
        return socket

    @property
    def acknowledged(self) -> bool:
        return bool(self.messages["ack"])

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": id, "type": "subscribe", "payload": payload})

    async def complete(self, id: str) -> None:
        await self.send({"id": id, "type": "complete"})

    async def result(self, id: str, *, seconds: float = 30) -> dict[str, Any]:
        """The first message of operation `id` that carries a result or errors."""
        await self.until(lambda: bool(self.messages[id]) or self.closed, seconds=seconds)
        assert self.messages[id], f"the socket closed ({self.close_code}) before {id} answered"
        return self.messages[id][0]

    def data(self, id: str) -> list[dict[str, Any]]:
        """The data of every `next` message operation `id` received."""
        return [m["payload"]["data"] for m in self.messages[id] if m["type"] == "next"]

    async def until(self, check: Any, *, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError("the socket did not get there in time")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.connection.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def _read(self) -> None:
        try:
            async for text in self.connection:
                message = json.loads(text)
                key = "ack" if message["type"] == "connection_ack" else message.get("id", "")
                self.messages[key].append(message)
        except ConnectionClosed:
            pass
        self.close_code = self.connection.close_code or 1006
        self.close_reason = self.connection.close_reason or ""
