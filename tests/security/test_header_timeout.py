"""The request head's deadline (server.header_timeout_seconds) on a served app.

A connection that sends part of a head and then nothing is closed, on a new connection
and on a kept-alive one; a websocket, whose head was complete, is not.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.settings import ServerSettings
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import login
from tests.web.test_live import open_socket, post

pytestmark = pytest.mark.usefixtures("database")

QUICK = ServerSettings(header_timeout_seconds=0.3)
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """True when the server ends the connection within 3 s (EOF or reset)."""
    try:
        async with asyncio.timeout(3):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


@pytest.mark.only_on("sqlite")  # no database involved
async def test_a_half_sent_head_is_closed_after_the_header_timeout(database, tmp_path) -> None:
    async with serving(database, tmp_path, server=QUICK) as base_url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(base_url))
        writer.write(PARTIAL_HEAD)
        assert await closed_by_server(reader)
        writer.close()


@pytest.mark.only_on("sqlite")
async def test_a_kept_alive_connection_that_stalls_in_its_next_head_is_closed(
    database, tmp_path
) -> None:
    async with serving(database, tmp_path, server=QUICK) as base_url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(base_url))
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        async with asyncio.timeout(5):
            status = await reader.readline()
            head = await reader.readuntil(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 200"), status
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        writer.write(PARTIAL_HEAD)  # the next request, half sent; keep-alive stops counting
        assert await closed_by_server(reader)
        writer.close()


async def test_a_websocket_outlives_the_header_timeout(database, tmp_path) -> None:
    async with (
        serving(database, tmp_path, server=QUICK) as base_url,
        httpx.AsyncClient(base_url=base_url) as erika,
    ):
        await login(erika, "erika")
        room = (await builders.room(ERIKA)).room.id
        async with await open_socket(base_url, erika, room, after=1) as socket:
            await asyncio.sleep(1.0)  # past the header deadline: nothing may happen, no poll
            await post(erika, room, "Noch da.")
            frame = str(await asyncio.wait_for(socket.recv(), 5))
            assert "Noch da." in frame
