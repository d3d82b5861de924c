"""A real webhook receiver on a loopback port, and a clock the tests move by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from standardwebhooks import Webhook

from tests.servers import free_port


class FakeClock:
    """Now, as far as the worker knows; the test advances it.

    It starts a few seconds ahead of the wall clock, so that deliveries planned while
    the test sets up (due at the database's now) are due at once.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC) + timedelta(seconds=5)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Received:
    at: datetime  # on the fake clock
    headers: dict[str, str]
    body: bytes
    payload: Any  # what standardwebhooks.Webhook.verify returned
    status: int  # what the receiver answered


@dataclass
class Receiver:
    """An ASGI endpoint that verifies every request with the independent package.

    ``answers`` are the statuses to give, in turn (then 200). A request whose
    signature does not verify is recorded with ``payload=None`` and answered 400.
    """

    secret: str = ""
    clock: FakeClock = field(default_factory=FakeClock)
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set on every request (the test clears it)."""

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    async def wait_for(self, accepted: int) -> None:
        """Until ``accepted`` requests were accepted (bounded by the caller's timeout)."""
        while len(self.accepted) < accepted:
            await self.arrived.wait()
            self.arrived.clear()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            parsed = Webhook(self.secret).verify(body, headers)
        except Exception:
            parsed = None
        status = (self.answers.pop(0) if self.answers else 200) if parsed is not None else 400
        self.received.append(Received(self.clock(), headers, body, parsed, status))
        self.arrived.set()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"thanks" if status < 300 else b"no"})


@asynccontextmanager
async def receiving(
    receiver: Receiver,
    path: str = "/hooks/antragsraum",
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    tls: tuple[str, str] | None = None,
) -> AsyncIterator[str]:
    """Serve ``receiver`` with uvicorn on a loopback port (free unless given); yields its URL.

    ``tls`` is (certificate file, key file): the receiver speaks https.
    """
    port = port or free_port()
    config = uvicorn.Config(
        receiver,
        host=host,
        port=port,
        lifespan="off",
        log_level="warning",
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)  # waiting for the server to bind, not for timing
    assert server.started, "the receiver did not start"
    receiver.url = f"{'https' if tls else 'http'}://{host}:{port}{path}"
    try:
        yield receiver.url
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
