"""The orphan sweep: stored files that no attachment row names are deleted.

An upload is stored before its row is committed (:mod:`app.files.staging`). A process
killed in between (``kill -9``, a lost machine) leaves a stored file that nothing
names and nobody will ever delete. The sweep lists everything under ``rooms/`` in the
storage (any backend: the listing is part of the ``Storage`` protocol), asks the
database which of the keys an ``Attachment`` names, and deletes the rest, but only
files older than ``storage.orphan_grace_seconds``: an upload in flight in another
process is younger than that (uploads take minutes at most, the default grace is a
day). Uploads in flight in this process are skipped whatever their age
(``staging.IN_FLIGHT``); that check comes before the database is asked, so a key that
leaves ``IN_FLIGHT`` after its row was committed is always found named.

It runs in the lifespan of every instance, once at start-up and then every
``storage.orphan_sweep_seconds``. Keys are judged in batches (one query per batch), so
memory stays bounded however many files are stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from litestar import Litestar

from app.files.staging import IN_FLIGHT
from app.storage.base import Storage
from rooms.casework.attachments import named_storage_keys

log = logging.getLogger("antragsraum.files")

BATCH = 500
PREFIX = "rooms"


async def sweep_orphans(storage: Storage, *, grace: timedelta, now: datetime | None = None) -> int:
    """Delete the orphans older than ``grace``; the number deleted."""
    cutoff = (now or datetime.now(UTC)) - grace
    deleted = 0
    batch: list[str] = []

    async def judge(keys: list[str]) -> int:
        named = await named_storage_keys(keys)
        orphans = [k for k in keys if k not in named]
        for key in orphans:
            await storage.delete(key)
        if orphans:
            log.warning("deleted %d stored files that no attachment names", len(orphans))
        return len(orphans)

    async for listed in storage.listing(PREFIX):
        if listed.modified > cutoff or listed.key in IN_FLIGHT:
            continue
        batch.append(listed.key)
        if len(batch) >= BATCH:
            deleted += await judge(batch)
            batch = []
    if batch:
        deleted += await judge(batch)
    return deleted


async def run_orphan_sweep(app: Litestar, stop: asyncio.Event) -> None:
    """The lifespan task: sweep now, then every ``orphan_sweep_seconds`` until ``stop``."""
    conf = app.state.settings.storage
    grace = timedelta(seconds=conf.orphan_grace_seconds)
    while not stop.is_set():
        try:
            await sweep_orphans(app.state.storage, grace=grace)
        except Exception:
            log.exception("orphan sweep failed")  # the next round tries again
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=conf.orphan_sweep_seconds)
