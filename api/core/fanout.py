"""One Redis pub/sub connection for every listener of a worker.

Each live subscription of a client used to hold a Redis connection of its own, taken from the pool
that writes, rate limits and sign-in need: a few hundred subscriptions emptied it. Here a worker
keeps one connection (its own, outside that pool), subscribed to the union of the channels its
listeners want, and hands each message to them in the process:

- a subscriber (a client's subscription) gets a bounded queue; one that falls `queue_size`
  messages behind is ended (`FellBehind`) rather than buffered without end;
- a handler (the worker's own listeners, e.g. cache invalidation) is called at once, in order,
  and must not block.

The connection outlives Redis restarts: when it is lost the fan-out connects again, with a backoff
that doubles up to a few seconds, subscribes to every channel still wanted, and says so in the
log once when it loses Redis and once when it has it back. Messages published meanwhile are lost;
a handler's `on_subscribed` runs at each (re)subscription so its owner can make up for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub as RedisPubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from agora.service import Outage

log = logging.getLogger("agora.api")

# The cap of the back-off after losing Redis (agora.service.Outage): a long outage costs one
# attempt every few seconds, and a short one is noticed quickly.
RECONNECT_MAX_DELAY = 5.0

LOST = (RedisConnectionError, RedisTimeoutError, OSError)

WHAT = "the pub/sub listener's Redis"


class FellBehind(Exception):
    """A subscriber did not take its messages as fast as they came: it missed some."""


@dataclass(eq=False)
class _Subscriber:
    queue: asyncio.Queue[bytes]
    fell_behind: bool = False

    def offer(self, data: bytes) -> None:
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.fell_behind = True


@dataclass(eq=False)
class _Handler:
    on_message: Callable[[bytes], None]
    on_subscribed: Callable[[], None] | None


@dataclass
class _Listeners:
    subscribers: set[_Subscriber] = field(default_factory=set)
    handlers: list[_Handler] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.subscribers or self.handlers)


class Fanout:
    """The channels this worker listens to, over one connection of `redis` (give it a client of
    its own: its connection is held as long as anyone listens)."""

    def __init__(self, redis: Redis, *, queue_size: int = 100) -> None:
        self._redis = redis
        self._queue_size = queue_size
        self._channels: dict[str, _Listeners] = {}
        self._pubsub: RedisPubSub | None = None
        # SUBSCRIBE and UNSUBSCRIBE one at a time: the connection is made on the first command,
        # and two at once would each make one.
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def channels(self) -> int:
        """How many channels are listened to (each once, however many listen)."""
        return len(self._channels)

    @property
    def subscribers(self) -> int:
        """How many subscribers listen, over all channels."""
        return sum(len(listeners.subscribers) for listeners in self._channels.values())

    async def messages(self, channel: str) -> AsyncIterator[bytes]:
        """The messages on `channel` from now on, until the consumer stops; raises FellBehind
        when it falls `queue_size` messages behind. Those published while Redis is away are
        missed; the messages go on when it is back."""
        subscriber = _Subscriber(asyncio.Queue(self._queue_size))
        self._listeners(channel).subscribers.add(subscriber)
        try:
            await self._sync(channel)
            while True:
                if subscriber.fell_behind:
                    raise FellBehind(channel)
                yield await subscriber.queue.get()
        finally:
            self._forget(channel, lambda listeners: listeners.subscribers.discard(subscriber))

    @contextlib.contextmanager
    def handling(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        *,
        on_subscribed: Callable[[], None] | None = None,
    ) -> Iterator[None]:
        """While inside, `on_message` is called with each message on `channel`, and
        `on_subscribed` each time the channel is (re)subscribed."""
        handler = _Handler(on_message, on_subscribed)
        self._listeners(channel).handlers.append(handler)
        self._in_background(self._sync(channel))
        try:
            yield
        finally:
            self._forget(channel, lambda listeners: listeners.handlers.remove(handler))

    def deliver_here(self, channel: str, data: bytes) -> None:
        """Hand `data` to this worker's listeners of `channel` as if Redis had carried it: for
        a message every worker hears from elsewhere (PostgreSQL's NOTIFY)."""
        self._deliver(channel, data)

    async def aclose(self) -> None:
        """Stop listening, whoever still listens, and close the connection."""
        self._channels.clear()
        tasks = [t for t in (self._reader, *self._pending) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _listeners(self, channel: str) -> _Listeners:
        listeners = self._channels.get(channel)
        if listeners is None:
            listeners = self._channels[channel] = _Listeners()
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        return listeners

    def _forget(self, channel: str, remove: Callable[[_Listeners], object]) -> None:
        listeners = self._channels.get(channel)
        if listeners is None:
            return
        remove(listeners)
        if not listeners:
            del self._channels[channel]
            # In the background: this runs as a consumer stops, which may be a cancellation.
            self._in_background(self._sync(channel))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _sync(self, channel: str) -> None:
        """Subscribe the connection to `channel` or unsubscribe it, as its listeners now need.
        Without a connection (none yet, or Redis lost), nothing to do: the reader subscribes to
        every channel wanted when it connects."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                return
            wanted = channel in self._channels
            # redis-py keeps the names as the client's responses are (bytes, or str if decoded).
            subscribed = any(
                name in pubsub.channels and name not in pubsub.pending_unsubscribe_channels
                for name in (channel, channel.encode())
            )
            if wanted == subscribed:
                return
            with contextlib.suppress(*LOST):
                if wanted:
                    await pubsub.subscribe(channel)
                else:
                    await pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        """Listen while anyone wants a channel, across lost connections."""
        redis = Outage(WHAT, log, cap=RECONNECT_MAX_DELAY)
        try:
            while self._channels:
                pubsub = self._redis.pubsub()
                confirmed: set[str] = set()
                lost: BaseException | None = None
                try:
                    async with self._lock:
                        self._pubsub = pubsub
                        await pubsub.subscribe(*self._channels)
                    while pubsub.subscribed:
                        message = await pubsub.get_message(timeout=None)
                        if message is None:
                            continue
                        channel = _text(message["channel"])
                        if message["type"] == "subscribe":
                            # Ours, or one redis-py made on its own after reconnecting at once
                            # (the server was back before its first retry): the loss was silent.
                            if not redis.is_lost and channel in confirmed:
                                log.warning("%s was lost for a moment; connected again", WHAT)
                            confirmed.add(channel)
                            redis.back()
                            self._subscribed(channel)
                        elif message["type"] == "unsubscribe":
                            confirmed.discard(channel)
                        elif message["type"] == "message":
                            self._deliver(channel, message["data"])
                except LOST as error:
                    lost = error
                finally:
                    self._pubsub = None
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
                if lost is not None:
                    await redis.lost(lost)
        finally:
            self._reader = None

    def _subscribed(self, channel: str) -> None:
        listeners = self._channels.get(channel)
        for handler in list(listeners.handlers) if listeners else []:
            if handler.on_subscribed is not None:
                _call(handler.on_subscribed)

    def _deliver(self, channel: str, data: bytes) -> None:
        listeners = self._channels.get(channel)
        if listeners is None:
            return
        for handler in list(listeners.handlers):
            _call(handler.on_message, data)
        for subscriber in listeners.subscribers:
            subscriber.offer(data)


def _call(function: Callable[..., None], *args: object) -> None:
    try:
        function(*args)
    except Exception:  # a bug of one listener must not stop the others hearing
        log.exception("%s: a handler failed", WHAT)


def _text(channel: bytes | str) -> str:
    return channel.decode() if isinstance(channel, bytes) else channel
