"""The live socket ends with its session: by idle time, absolute time or logout.

A logout (local or back-channel) is announced on the session's channel
(``app.identity.logout``). The timeouts are announced by nobody: the session simply
counts as gone from then on. :class:`SessionWatch` knows when that will be, sleeps
until then, and asks the store again (a request in another tab may have renewed the
session); the stream also asks before each nudge, so no content leaves after the end
even when the timer and a nudge meet.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from litestar.connection import ASGIConnection

from app.identity.sessions import session_ends_at


class SessionWatch:
    def __init__(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        self.connection = connection
        self.ends_at: float | None = None

    async def alive(self) -> bool:
        """Whether the session still holds; the store is asked once the known end passed."""
        if self.ends_at is not None and time.time() < self.ends_at:
            return True
        self.ends_at = await session_ends_at(self.connection)
        return self.ends_at is not None and time.time() < self.ends_at

    async def cancel_at_end(self, scope: anyio.CancelScope) -> None:
        """Cancel ``scope`` (the stream) when the session ends by time."""
        while await self.alive():
            assert self.ends_at is not None
            await anyio.sleep(self.ends_at - time.time())
        scope.cancel()
