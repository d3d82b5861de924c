"""Staff may work only from their authority's networks (CIDR list per authority).

Checked on every staff request and websocket, after the session is loaded. Citizens
and businesses are not restricted by network.

The address checked is the connection's client as the server hands it over: the peer,
or the client named by X-Forwarded-For only when the peer is one of
``app.trusted_proxies`` (``antragsraum serve`` passes exactly these to uvicorn's
``forwarded_allow_ips``, see ``app.cli.proxy_options``; none named: no header is read).
"""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send, WebSocketCloseEvent

from app.audit_source import client_address
from app.identity.actor import current_actor
from rooms.kernel import audit
from rooms.kernel.authorities import address_allowed, allowed_networks

CACHE_SECONDS = 10.0
CLOSE_NETWORK_REFUSED = 4403


class StaffNetworkRefused(Exception):
    """A staff member's request came from outside the authority's networks."""


class StaffNetworkMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self) -> None:
        # A short cache: one query per authority per few seconds, not per request.
        self._cache: dict[str, tuple[float, list[str]]] = {}

    async def _networks(self, slug: str) -> list[str]:
        now = time.monotonic()
        cached = self._cache.get(slug)
        if cached and cached[0] > now:
            return cached[1]
        networks = await allowed_networks(slug)
        if networks:  # none (yet): asked again next time, so new networks count at once
            self._cache[slug] = (now + CACHE_SECONDS, networks)
        return networks

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        actor = await current_actor(connection)
        if actor is not None and actor.is_staff:
            address = client_address(scope)  # the audit trail's source, too
            networks = await self._networks(actor.authority_slug or "")
            if not address_allowed(address, networks):
                await audit.record(
                    "access_denied",
                    actor=actor,
                    outcome="refused",
                    detail={"reason": "network", "path": scope["path"]},
                )
                if scope["type"] == ScopeType.WEBSOCKET:
                    close: WebSocketCloseEvent = {
                        "type": "websocket.close",
                        "code": CLOSE_NETWORK_REFUSED,
                        "reason": "network",
                    }
                    await send(close)
                    return
                raise StaffNetworkRefused()
        await next_app(scope, receive, send)
