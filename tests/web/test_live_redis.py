"""The live channel on Redis: a fresh instance's first wave, and a Redis restart.

PostgreSQL only: several instances sharing Redis is the PostgreSQL deployment, and
what is tested here is the channel, not the database.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.settings import LiveSettings
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import login
from tests.web.test_live import open_socket, post, receive_items

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.only_on("postgres")]

SOCKETS = 30


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
