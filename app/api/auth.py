"""Bearer-token authentication of case stores."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from rooms.casestore.clients import authenticate
from rooms.kernel.actors import MachineClient


async def machine_client(request: Request[Any, Any, Any]) -> MachineClient:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    client = await authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        raise NotAuthorizedException(
            "A valid bearer token is required.",
            headers={"WWW-Authenticate": 'Bearer realm="antragsraum"'},
        )
    return client
