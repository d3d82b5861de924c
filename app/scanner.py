"""The scan worker: every file waits in quarantine until clamd calls it clean.

It runs in each app process's lifespan, is woken after each upload and also looks
every ``scanning.poll_seconds`` for files still waiting (after a restart, or while
clamd was away: fail closed, rescan when it is back). Verdicts are recorded once per
file (the domain ignores a second verdict), so several instances may run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar

from app.scanning import ClamdClient, ScanFailed, ScannerUnavailable
from app.storage import NotStored, Storage
from rooms.casework.attachments import AttachmentView, pending_scans
from rooms.casework.verdicts import do_record_verdict

log = logging.getLogger("antragsraum.scanner")

# What an unscannable file is recorded as: never clean, never downloadable.
UNSCANNABLE = "Antragsraum.Unscannable"


async def scan_one(
    app: Litestar, client: ClamdClient, storage: Storage, file: AttachmentView
) -> None:
    try:
        stream = await storage.open(file.storage_key)
    except NotStored:
        log.error("attachment %s has no stored file", file.id)
        await do_record_verdict(file.id, clean=False, signature=UNSCANNABLE)
        return
    try:
        verdict = await client.scan_stream(_chunks(stream))
    except ScanFailed as exc:
        await _close(stream)
        log.warning("attachment %s could not be scanned: %s", file.id, exc)
        await do_record_verdict(file.id, clean=False, signature=UNSCANNABLE)
        return
    except BaseException:
        await _close(stream)  # clamd away (ScannerUnavailable) or cancelled
        raise
    signature = verdict.signature or ""
    await do_record_verdict(file.id, clean=verdict.clean, signature=signature)


async def _chunks(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    try:
        async for chunk in stream:
            yield chunk
    finally:
        await _close(stream)


async def _close(stream: AsyncIterator[bytes]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


async def run_scanner(app: Litestar, stop: asyncio.Event) -> None:
    settings: Any = app.state.settings
    client = ClamdClient(settings.scanning.clamd_address)
    storage: Storage = app.state.storage
    wakeup: asyncio.Event = app.state.scan_wakeup
    while not stop.is_set():
        wakeup.clear()
        try:
            for file in await pending_scans():
                await scan_one(app, client, storage, file)
        except ScannerUnavailable:
            log.warning("clamd is unreachable; files stay quarantined until it is back")
        except Exception:
            log.exception("scan round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=settings.scanning.poll_seconds)
