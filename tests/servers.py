"""Running the app inside a test: its lifespan, and free loopback ports."""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running(application):  # type: ignore[no-untyped-def]
    """Run the app's lifespan in a task of its own.

    pytest-asyncio sets a fixture up and tears it down in different tasks; the
    lifespan's cancel scopes (anyio) must be entered and left in the same one.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when="FIRST_COMPLETED")
    if task.done():
        task.result()  # startup failed: raise its error
    try:
        yield application
    finally:
        stop.set()
        await task


def in_process(app: Any, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A browser-like client talking to ``app`` in this process, from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 51000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")
