"""The client address of each request and socket, for the audit trail (``source``).

A plain ASGI middleware, outermost, like ``app.publish.CommittedFacts``: it sets the
address in the context the request runs in (``rooms.kernel.audit.from_source``), so
every audit event an action records while it runs carries it, and the domain never
sees the request. The address is the one the staff-network check uses
(:func:`client_address`): the connection's client as the server hands it over, which
is X-Forwarded-For only when the peer is one of ``app.trusted_proxies``.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from rooms.kernel.audit import from_source


def client_address(scope: Scope) -> str:
    """The connection's client address ("" when the server gave none)."""
    client = scope.get("client")
    return str(client[0]) if client else ""


class AuditSource:
    """ASGI middleware: audit events recorded while a request or socket runs name its client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with from_source(client_address(scope)):
            await self.app(scope, receive, send)
