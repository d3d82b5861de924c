"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from app import db


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    if await db.ping(request.app.state.engine):
        return Response({"status": "ready"})
    return Response({"status": "database unreachable"}, status_code=503)
