"""Slow clients against a real uvicorn: a trickling body is cut, SIGTERM is not blocked."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from app.settings import ServerSettings
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.served_command import COMMAND, command_env
from tests.servers import free_port

pytestmark = pytest.mark.usefixtures("database")

SLOW = ServerSettings(
    body_chunk_timeout_seconds=0.5, body_grace_seconds=0.5, body_min_bytes_per_second=1000
)


async def slow_post(
    port: int, path: str, headers: dict[str, str], *, every: float | None
) -> tuple[int, float]:
    """POST announcing 100 kB, then one byte per ``every`` seconds (``None``: stall).

    Returns the answer's status and the seconds from the first body byte to the answer.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Length: 100000"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + b"{")
    started = time.monotonic()

    async def trickle() -> None:
        while every is not None:
            await asyncio.sleep(every)  # the slow client itself: one byte per interval
            writer.write(b" ")
            await writer.drain()

    sender = asyncio.create_task(trickle())
    try:
        async with asyncio.timeout(10):
            status_line = await reader.readline()
        return int(status_line.split()[1]), time.monotonic() - started
    finally:
        sender.cancel()
        writer.close()


async def test_a_stalled_api_body_is_cut_after_the_chunk_timeout(database, tmp_path) -> None:
    _, token = await builders.client()
    async with serving(database, tmp_path, server=SLOW) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        keyed = {**headers, "Idempotency-Key": "slow-1"}  # read by the idempotency middleware
        for sent in (headers, keyed):
            status, elapsed = await slow_post(port, "/api/v1/rooms", sent, every=None)
            assert status == 408
            assert 0.45 <= elapsed < 2.0, elapsed
        async with httpx.AsyncClient(base_url=base_url) as http:
            assert (await http.get("/healthz")).status_code == 200


async def test_a_trickling_upload_is_cut_below_the_minimum_rate(database, tmp_path) -> None:
    _, token = await builders.client()
    room = (await builders.room(ERIKA)).room.id
    async with serving(database, tmp_path, server=SLOW) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "multipart/form-data; boundary=xyz",
        }
        # 10 bytes a second never stalls half a second, but stays far below 1000 B/s.
        status, elapsed = await slow_post(
            port, f"/api/v1/rooms/{room}/messages", headers, every=0.1
        )
        assert status == 408
        assert 0.5 <= elapsed < 2.0, elapsed


@pytest.mark.only_on("sqlite")
async def test_sigterm_is_not_blocked_by_a_trickling_client(tmp_path: Path, engine) -> None:
    """`antragsraum serve` itself: SIGTERM while a client trickles; the process ends."""
    port = free_port()
    env = command_env(
        tmp_path,
        port,
        ANTRAGSRAUM_SERVER__BODY_CHUNK_TIMEOUT_SECONDS="5",
        ANTRAGSRAUM_SERVER__BODY_GRACE_SECONDS="1",
        ANTRAGSRAUM_SERVER__BODY_MIN_BYTES_PER_SECOND="1000",
    )
    command = [str(COMMAND)]
    subprocess.run([*command, "migrate"], env=env, check=True, capture_output=True)  # noqa: ASYNC221
    server = subprocess.Popen([*command, "serve"], env=env, stderr=subprocess.DEVNULL)  # noqa: ASYNC220
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async with asyncio.timeout(30):  # a cold start on a busy machine
                while True:
                    try:
                        if (await http.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.05)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        slow = asyncio.create_task(slow_post(port, "/dev-idp/token", headers, every=0.1))
        await asyncio.sleep(0.3)  # the body is under way
        server.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        async with asyncio.timeout(10):
            while server.poll() is None:  # noqa: ASYNC110 (a process, not an event)
                await asyncio.sleep(0.05)
        took = time.monotonic() - sent
        print(f"SIGTERM to exit: {took:.2f} s")
        assert took < 3.0, took
        status, _ = await slow
        assert status == 408, status
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
