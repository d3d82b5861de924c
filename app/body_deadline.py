"""Slow request bodies are cut: a deadline per chunk and a minimum average rate.

One ASGI middleware wraps ``receive`` of every HTTP request, so the upload pipeline
(``app.files.upload_stream``), the API's JSON bodies (``app.api.idempotency``, the
handlers' parsing) and the forms all read through the same deadline, without each
reader knowing. A body that sends no bytes for ``body_chunk_timeout_seconds``, or
that after ``body_grace_seconds`` averages fewer than ``body_min_bytes_per_second``,
raises :class:`BodyTooSlow` (408); the handler stops, its staged files are removed
as for any failed upload, and the connection is closed. That also keeps a trickling
client from holding a worker (and a graceful shutdown) for ever.

Written here rather than taken from a library: uvicorn has no body timeout, and the
reverse proxy's ``client_body_timeout`` (see README) only applies when there is one.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.settings import ServerSettings


class BodyTooSlow(HTTPException):
    status_code = 408

    def __init__(self) -> None:
        super().__init__(
            detail="The request body arrived too slowly.", headers={"Connection": "close"}
        )


def deadline_receive(receive: Receive, settings: ServerSettings) -> Any:
    """``receive`` that raises :class:`BodyTooSlow` when the body stalls or trickles."""
    started = time.monotonic()
    received = 0
    done = False

    async def timed() -> Any:
        nonlocal received, done
        if done:  # the body is in: what follows is a disconnect, waited for as usual
            return await receive()
        try:
            async with asyncio.timeout(settings.body_chunk_timeout_seconds):
                message = await receive()
        except TimeoutError:
            raise BodyTooSlow() from None
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            done = not message.get("more_body", False)
            elapsed = time.monotonic() - started
            grace_over = elapsed > settings.body_grace_seconds
            if not done and grace_over and received / elapsed < settings.body_min_bytes_per_second:
                raise BodyTooSlow()
        return message

    return timed


class BodyDeadline(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        wrapped: Any = deadline_receive(receive, self.settings)
        await next_app(scope, wrapped, send)
