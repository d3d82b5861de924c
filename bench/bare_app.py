"""The bare peer of the upload benchmark: Litestar streaming a request body to disk.

One POST handler, no parsing, no checks, no database: ``request.stream()`` goes chunk by
chunk into a temporary file (written from the event loop, as the portal does), which is
removed again. It is the ceiling the portal's upload path is compared with.

Run by ``bench.upload`` as ``uvicorn bench.bare_app:app``; the temporary files go to
``$BENCH_BARE_DIR`` (default: the system's temporary directory).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from litestar import Litestar, Request, get, post

DIRECTORY = os.environ.get("BENCH_BARE_DIR") or None


@post("/upload", request_max_body_size=None, status_code=200)
async def upload(request: Request[Any, Any, Any]) -> dict[str, int]:
    fd, name = tempfile.mkstemp(prefix="bare-", dir=DIRECTORY)
    size = chunks = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                chunks += 1
                out.write(chunk)
    finally:
        os.unlink(name)
    return {"size": size, "chunks": chunks}


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[upload, healthz], debug=False)
