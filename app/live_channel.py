"""The Redis backend of the live channel: one subscriber connection that survives Redis.

Litestar's ``RedisChannelsPubSubBackend`` has two faults in real use, and both are in
code we do not own, so this module replaces the backend (the ``ChannelsPlugin`` and
its ``Subscriber`` stay Litestar's):

- **The first wave of subscriptions is lost.** The plugin calls ``subscribe`` from
  every socket's task; redis-py's ``PubSub.connect()`` awaits a pool connection
  between "is there one?" and "here it is", so on a fresh ``PubSub`` several tasks
  each open one. Only the last is read; subscriptions sent on the others are
  delivered by Redis to a connection nobody reads. Here one task (the reader, in
  :meth:`RedisLiveBackend.stream_events`) opens the connection and subscribes to
  every wanted channel before anyone else may use it; ``subscribe``/``unsubscribe``
  are serialised by a lock and wait for Redis to confirm the subscription, so a
  socket that then reads its backlog from the database misses nothing published later.
- **A Redis restart ends live updates for good.** Litestar's reader raises once the
  connection breaks, which ends the plugin's only reader task; its publishing task
  dies on the first failed publish, and shutdown then waits for a queue nobody
  drains. And redis-py's own retry would reconnect and resubscribe *silently*, so
  nobody would know what was missed. Here the client has no retries of its own: the
  reader notices the loss (a read error, or no answer to its PING), reconnects with
  capped, jittered exponential backoff, resubscribes to every wanted channel and then
  yields :data:`RESYNC` on each of them. A live socket that gets ``RESYNC`` re-reads
  from the database everything after the last sequence number it sent (it already
  drops duplicates by sequence number), so no item is lost and none is sent twice.
- **Posting never depends on Redis.** ``publish`` never raises and gives up after
  :data:`OPERATION_TIMEOUT` (at once while the reader knows Redis is away): the nudge
  is lost, and the ``RESYNC`` after the reconnect brings the item. The plugin's
  publishing queue therefore always drains and shutdown finishes within the grace
  period whatever Redis does; closing the connection is bounded as well.

Only nudges travel here (never content), so losing one is harmless by design.

Channel names on Redis carry ``prefix`` (``live.redis_prefix``), so that deployments
(or test runs) sharing one Redis never hear each other; the plugin and the sockets
only ever see the names without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from litestar.channels.backends.base import ChannelsBackend
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)

RESYNC = b"\x00resync"
"""Yielded on every channel after a reconnect: "you may have missed something"."""

OPERATION_TIMEOUT = 2.0
"""Seconds for one Redis operation (connect, publish, subscribe's confirmation, close)."""
READ_TIMEOUT = 1.0
"""The reader wakes at least this often (to ping, and to notice cancellation)."""
PING_INTERVAL = 5.0
"""A silent connection is pinged after this long; no answer within OPERATION_TIMEOUT
means Redis is gone (a frozen server or a lost network never closes the socket)."""
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0
"""Reconnect delays in seconds: doubling from the first to the cap, with jitter."""

_LOST = (RedisError, OSError, TimeoutError)


class RedisLiveBackend(ChannelsBackend):
    """Redis pub/sub for the live channel, resubscribing (and saying so) after a loss."""

    def __init__(self, redis_url: str, prefix: str = "") -> None:
        self._prefix = prefix
        # No retries inside redis-py: a silent reconnect would hide what was missed.
        self._redis: Redis = Redis.from_url(
            redis_url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=OPERATION_TIMEOUT,
            socket_timeout=OPERATION_TIMEOUT,
        )
        self._wanted: set[str] = set()  # what the plugin subscribed to, across connections
        self._lock = asyncio.Lock()  # one subscription change at a time, on one connection
        self._pubsub: PubSub | None = None  # the reader's connection, None while away
        self._confirming: dict[bytes, asyncio.Event] = {}
        self.reconnects = 0  # connections after the first (for logs and tests)

    async def on_startup(self) -> None:
        """Nothing to do: the reader connects (and keeps reconnecting) on its own."""

    async def on_shutdown(self) -> None:
        await self._drop()
        try:
            async with asyncio.timeout(OPERATION_TIMEOUT):
                await self._redis.aclose()
        except _LOST:
            pass

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Publish a nudge, or lose it (logged): posting must not wait for Redis."""
        if self._pubsub is None:
            log.warning("live channel: Redis is away, a nudge is dropped (resync follows)")
            return
        try:
            async with asyncio.timeout(OPERATION_TIMEOUT):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel in set(channels):
                        pipe.publish(self._on_redis(channel), data)
                    await pipe.execute()
        except _LOST as exc:
            log.warning("live channel: a nudge is dropped (%s); resync follows", exc)

    async def subscribe(self, channels: Iterable[str]) -> None:
        async with self._lock:
            new = [channel for channel in channels if channel not in self._wanted]
            self._wanted.update(new)
            if not new or self._pubsub is None:
                return  # the reader subscribes to all wanted channels when it connects
            names = [self._on_redis(channel) for channel in new]
            waits = [self._confirming.setdefault(n.encode(), asyncio.Event()) for n in names]
            try:
                await self._pubsub.subscribe(*names)
            except _LOST:
                return  # the reader notices the loss, resubscribes and resyncs
        try:  # outside the lock: the reader confirms, others may subscribe meanwhile
            async with asyncio.timeout(OPERATION_TIMEOUT):
                await asyncio.gather(*(event.wait() for event in waits))
        except TimeoutError:
            log.warning("live channel: Redis did not confirm a subscription in time")

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        async with self._lock:
            gone = [channel for channel in channels if channel in self._wanted]
            self._wanted.difference_update(gone)
            if gone and self._pubsub is not None:
                with contextlib.suppress(*_LOST):
                    await self._pubsub.unsubscribe(*(self._on_redis(c) for c in gone))

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        """The one reader: connect, subscribe to everything wanted, read; on loss, again."""
        delay = BACKOFF_FIRST
        connected_before = False
        while True:
            try:
                pubsub = await self._connect()
            except _LOST as exc:
                log.warning("live channel: Redis unreachable (%s), retry in %.2fs", exc, delay)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 (jitter, not a secret)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            if connected_before:
                self.reconnects += 1
                log.warning("live channel: reconnected to Redis, open sockets resync")
            connected_before = True
            try:
                # Everything published from now on arrives; what came before the
                # reconnect the sockets read from the database.
                for channel in sorted(self._wanted):
                    yield channel, RESYNC
                async for channel, data in self._read(pubsub):
                    yield channel, data
            except _LOST as exc:
                log.warning("live channel: lost Redis (%s), reconnecting", exc)
            finally:
                await self._drop()

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("the live channel keeps no history: sockets read the database")

    async def _connect(self) -> PubSub:
        """A new connection, subscribed to every wanted channel before anyone else uses it."""
        async with self._lock:
            pubsub = self._redis.pubsub()
            try:
                async with asyncio.timeout(OPERATION_TIMEOUT):
                    await pubsub.connect()  # type: ignore[no-untyped-call]
                    if self._wanted:
                        await pubsub.subscribe(*(self._on_redis(c) for c in self._wanted))
                        await _confirmed(pubsub, len(self._wanted))
            except BaseException:
                await _close(pubsub)
                raise
            self._pubsub = pubsub
            return pubsub

    async def _read(self, pubsub: PubSub) -> AsyncGenerator[tuple[str, bytes], None]:
        loop = asyncio.get_running_loop()
        last_heard = loop.time()
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=READ_TIMEOUT)
            now = loop.time()
            if message is None:
                if now - last_heard > PING_INTERVAL + OPERATION_TIMEOUT:
                    raise TimeoutError("no answer to PING")
                if now - last_heard > PING_INTERVAL and not pinged:
                    await pubsub.ping()
                    pinged = True
                continue
            last_heard, pinged = now, False
            kind = message["type"]
            channel: bytes = message["channel"] or b""
            if kind == "subscribe":
                event = self._confirming.pop(channel, None)
                if event is not None:
                    event.set()
            elif kind == "message":
                name = channel.decode().removeprefix(self._prefix)
                if name in self._wanted:
                    yield name, message["data"]

    def _on_redis(self, channel: str) -> str:
        return f"{self._prefix}{channel}"

    async def _drop(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        for event in self._confirming.values():
            event.set()  # nobody waits for a connection that is gone
        self._confirming.clear()
        if pubsub is not None:
            await _close(pubsub)


async def _confirmed(pubsub: PubSub, count: int) -> None:
    """Wait until Redis confirmed ``count`` subscriptions: only then may sockets resync.

    A message arriving meanwhile is dropped: the resync that follows reads it anyway.
    """
    while count:
        message = await pubsub.get_message(timeout=READ_TIMEOUT)
        if message is not None and message["type"] == "subscribe":
            count -= 1


async def _close(pubsub: PubSub) -> None:
    try:
        async with asyncio.timeout(OPERATION_TIMEOUT):
            await pubsub.aclose()  # type: ignore[no-untyped-call]
    except _LOST:
        pass
