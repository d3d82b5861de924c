"""Rate limits of the machine API: every request by its client, failed tokens by address.

A router middleware, placed before the idempotency middleware, so that a refused
request neither reads its body nor claims its key. It authenticates the bearer token
(once per request: the client is kept for the idempotency middleware, the scope guards
and the ``client`` dependency). An address over ``bearer_failures_per_address`` is
refused before its token is looked at, so tokens cannot be tried on from there; a
request without a valid token is left to the handler's 401 otherwise. The policy and
its counters are ``app.rate_limits``'.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.api.scopes import remember
from app.rate_limits import RateLimited, address, check, hit
from app.refusal_audit import BEARER_RATE_LIMITED, BEARER_REFUSED, count_refusal
from rooms.casestore.clients import authenticate

FAILURES = "bearer_failures_per_address"


class ApiRateLimit(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        caller = address(connection)
        try:
            await check(connection, FAILURES, caller)
        except RateLimited:
            count_refusal(scope, BEARER_RATE_LIMITED)
            raise
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        client = await authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if client is None:
            count_refusal(scope, BEARER_REFUSED)  # audited as counts (app.refusal_audit)
            await hit(connection, FAILURES, caller)
        else:
            remember(scope, client)
            await hit(connection, "api_per_client", str(client.id))
        await next_app(scope, receive, send)
