"""The live channel on Redis: a fresh instance's first wave, a Redis restart, prefixes.

PostgreSQL only: several instances sharing Redis is the PostgreSQL deployment, and
what is tested here is the channel, not the database.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from litestar.channels import ChannelsPlugin

from app import create_app
from app.settings import LiveSettings
from rooms.kernel.events import channel_for
from tests import builders
from tests.backends import NAMESPACE, REDIS_URL
from tests.cast import ERIKA
from tests.conftest import make_settings, serving
from tests.login import login
from tests.redis_server import OwnRedis
from tests.servers import running
from tests.web.test_live import open_socket, post, receive_items

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.only_on("postgres")]

SOCKETS = 25


async def test_a_fresh_instance_delivers_to_every_socket_of_the_first_wave(
    database, tmp_path
) -> None:
    rooms = [(await builders.room(ERIKA)).room.id for _ in range(SOCKETS)]
    async with (
        serving(database, tmp_path, live=LiveSettings(backend="redis")) as base,
        httpx.AsyncClient(base_url=base) as erika,
        httpx.AsyncClient(base_url=base) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{rooms[0]}")
        # All at once, on an instance that has not subscribed to anything yet.
        connections = [await open_socket(base, erika, room) for room in rooms]
        sockets = await asyncio.gather(*(connection.__aenter__() for connection in connections))
        try:
            backlogs = await asyncio.gather(*(receive_items(s, 1) for s in sockets))
            assert backlogs == [[1]] * SOCKETS  # subscribed, then the backlog was read
            for room in rooms:
                await post(sabine, room, "Eine Rückfrage.")
            delivered = await asyncio.gather(*(receive_items(s, 1) for s in sockets))
            assert delivered == [[2]] * SOCKETS
        finally:
            for connection in connections:
                await connection.__aexit__(None, None, None)


@pytest.fixture
async def own_redis(tmp_path):  # type: ignore[no-untyped-def]
    redis = OwnRedis(tmp_path)
    await redis.start()
    yield redis
    await redis.stop()


async def test_a_redis_restart_loses_no_item_and_sends_none_twice(
    database, tmp_path, own_redis
) -> None:
    room = (await builders.room(ERIKA)).room.id
    live = LiveSettings(backend="redis", redis_url=own_redis.url)
    async with (
        serving(database, tmp_path, live=live) as base,
        httpx.AsyncClient(base_url=base) as erika,
        httpx.AsyncClient(base_url=base) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{room}")
        async with await open_socket(base, erika, room, after=1) as socket:
            await post(sabine, room, "vorher")  # 2
            assert await receive_items(socket, 1) == [2]

            await own_redis.stop()
            for body in ("während 1", "während 2", "während 3"):  # 3, 4, 5
                await post(sabine, room, body)  # posting does not need Redis
            restarted = time.monotonic()
            await own_redis.start()
            caught_up = await receive_items(socket, 3)
            recovery = time.monotonic() - restarted
            assert caught_up == [3, 4, 5]

            await post(sabine, room, "nachher")  # 6
            assert await receive_items(socket, 1) == [6]  # nothing twice before it
            async with await open_socket(base, erika, room, after=6) as fresh:
                await post(sabine, room, "neu")  # 7: a socket opened after the restart
                assert await receive_items(fresh, 1) == [7]
            assert await receive_items(socket, 1) == [7]
        print(f"caught up {len(caught_up)} items {recovery:.2f}s after Redis was back")


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
async def test_shutdown_finishes_while_redis_is_away(database, tmp_path, own_redis, fault) -> None:
    room = (await builders.room(ERIKA)).room.id
    live = LiveSettings(backend="redis", redis_url=own_redis.url)
    async with serving(database, tmp_path, live=live) as base:
        async with (
            httpx.AsyncClient(base_url=base) as erika,
            httpx.AsyncClient(base_url=base) as sabine,
        ):
            await login(erika, "erika")
            await login(sabine, "sabine")
            await sabine.get(f"/rooms/{room}")
            socket = await (await open_socket(base, erika, room, after=1)).__aenter__()
            await post(sabine, room, "vorher")
            assert await receive_items(socket, 1) == [2]
            if fault == "stopped":
                await own_redis.stop()
            else:
                own_redis.freeze()
            await post(sabine, room, "während")  # its nudge cannot be published
        started = time.monotonic()
    # Leaving serving() fails the test when the server does not stop within its grace.
    print(f"shut down in {time.monotonic() - started:.2f}s, Redis {fault}, a socket open")


async def test_deployments_with_other_prefixes_on_one_redis_do_not_hear_each_other(
    database, tmp_path
) -> None:
    """``live.redis_prefix``: two deployments share a Redis and the same room ids."""
    channel = channel_for(uuid.uuid4())
    apps = [
        create_app(
            make_settings(
                tmp_path / name,
                live=LiveSettings(backend="redis", redis_url=REDIS_URL, redis_prefix=prefix),
            ),
            engine=database,
        )
        for name, prefix in (("a", f"{NAMESPACE}:a:"), ("b", f"{NAMESPACE}:b:"))
    ]
    async with running(apps[0]), running(apps[1]):
        first, second = (app.plugins.get(ChannelsPlugin) for app in apps)
        async with (
            first.start_subscription([channel]) as on_first,
            second.start_subscription([channel]) as on_second,
        ):
            first.publish(b"for a", channels=[channel])
            second.publish(b"for b", channels=[channel])
            # Each channel keeps order: had "for a" reached b, it would come first.
            assert await asyncio.wait_for(anext(on_first.iter_events()), 5) == b"for a"
            assert await asyncio.wait_for(anext(on_second.iter_events()), 5) == b"for b"
