"""uvicorn's HTTP protocol with a header timeout and a connection cap at accept time.

uvicorn (0.54) arms no timer until a first response is sent and checks
``limit_concurrency`` only when a request head is complete. A client that connects and
sends part of a head, then nothing, holds a file handle for ever; enough of them use up
the process's file handles, and then uvloop (libuv) accepts and at once closes every
new connection, /healthz included, without a word in the log. Neither uvicorn nor
uvloop has a setting for this, hence the two checks here, in a subclass of the
protocol uvicorn itself would choose (httptools, else h11):

- a connection beyond ``limit_concurrency`` is answered 503 (Retry-After) as soon as it
  is accepted and closed, so open connections, and file handles, stay near the limit;
- a request head (on a new or a kept-alive connection) must be complete within
  ``header_timeout_seconds``, or the connection is closed: held slots come free.

A reverse proxy in front should still time out slow heads itself (README: nginx
``client_header_timeout``, ``limit_conn``); these checks keep the process alive without.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 5\r\n"
    b"connection: close\r\n"
    b"content-length: 19\r\n"
    b"\r\n"
    b"Service Unavailable"
)


def guarded_protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's ``http=``: ``AutoHTTPProtocol`` with the checks."""

    base: Any = AutoHTTPProtocol  # HttpToolsProtocol or H11Protocol: the same attributes

    class GuardedHTTPProtocol(base):  # type: ignore[misc]
        _head_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            limit = self.limit_concurrency
            if limit is not None and len(self.connections) > limit:
                transport.write(REFUSED)
                transport.close()
                return
            self._await_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._between_requests():
                self._stop_waiting()  # the head is complete
            elif self._head_deadline is None:
                self._await_head()  # a kept-alive connection began a new head

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_waiting()
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            return self.cycle is None or bool(self.cycle.response_complete)

        def _await_head(self) -> None:
            self._stop_waiting()
            self._head_deadline = self.loop.call_later(
                header_timeout, self._head_overdue, self.cycle
            )

        def _stop_waiting(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None

        def _head_overdue(self, cycle_then: object) -> None:
            self._head_deadline = None
            if self.transport.get_protocol() is not self:
                return  # upgraded to a websocket: its own protocol keeps it
            if self.cycle is cycle_then and self._between_requests():
                self.transport.close()  # no new request head arrived in time

    return GuardedHTTPProtocol
