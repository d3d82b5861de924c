"""The bare peer of the upload benchmark: Litestar streaming a request body to disk.

One POST handler, no parsing, no checks, no database: ``request.stream()`` goes chunk by
chunk into a temporary file (written from the event loop, as the portal does), which is
removed again. It is the ceiling the portal's upload path is compared with.
``/upload-hashed`` adds SHA-256 and nothing else: what any upload path that keeps
the hash of every file (as the portal must) can reach on the same machine.

Run by ``bench.upload`` as ``uvicorn bench.bare_app:app``; the temporary files go to
``$BENCH_BARE_DIR`` (default: the system's temporary directory).
"""

from __future__ import annotations

import asyncio
import hashlib
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


@post("/upload-hashed", request_max_body_size=None, status_code=200)
async def upload_hashed(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The bare handler plus the one thing every upload path must add: SHA-256.

    Hashing runs in a worker thread, one chunk batch in flight, while the loop keeps
    receiving and writing: the cheapest way to add the hash. What this peer loses
    against ``/upload`` is the price of the hash itself on this machine.
    """
    fd, name = tempfile.mkstemp(prefix="bare-", dir=DIRECTORY)
    digest = hashlib.sha256()
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[None] | None = None
    batch: list[bytes] = []
    gathered = size = 0

    def hash_all(pieces: list[bytes]) -> None:
        for piece in pieces:
            digest.update(piece)

    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
                batch.append(chunk)
                gathered += len(chunk)
                size += len(chunk)
                if gathered >= 1024 * 1024:
                    if pending is not None:
                        await pending
                    pending = loop.run_in_executor(None, hash_all, batch)
                    batch, gathered = [], 0
            if pending is not None:
                await pending
            hash_all(batch)
    finally:
        os.unlink(name)
    return {"size": size, "sha256": digest.hexdigest()}


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[upload, upload_hashed, healthz], debug=False)
