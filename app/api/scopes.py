"""Scopes of machine credentials: one guard per route, and the client of a request.

A request is authenticated once: the first of the idempotency middleware, a scope
guard or the ``client`` dependency that needs the credential looks it up and keeps it
in the request's state; the others reuse it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from app.api.auth import machine_client
from rooms.kernel.actors import SCOPES, MachineClient

STATE_KEY = "api_client"


async def client_of(request: Request[Any, Any, Any]) -> MachineClient:
    """The authenticated client of this request (401 without a valid bearer token)."""
    state = request.scope.setdefault("state", {})
    found = state.get(STATE_KEY)
    if isinstance(found, MachineClient):
        return found
    client = await machine_client(request)
    state[STATE_KEY] = client
    return client


def remember(scope: Any, client: MachineClient) -> None:
    """Keep a client that was authenticated before routing (the middleware)."""
    scope.setdefault("state", {})[STATE_KEY] = client


def require_scope(name: str) -> Guard:
    """A guard: 401 without a valid token, 403 naming ``name`` when the token lacks it."""
    if name not in SCOPES:
        raise ValueError(f"unknown scope {name!r}")

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        assert isinstance(connection, Request)
        client = await client_of(connection)
        if name not in client.scopes:
            raise PermissionDeniedException(f"This credential lacks the scope {name!r}.")

    guard.__name__ = f"require_scope_{name.replace(':', '_')}"
    return guard


READ = require_scope("rooms:read")
WRITE = require_scope("rooms:write")
EVENTS = require_scope("events:read")
