"""Files stored for a change that is not recorded yet: gone again unless it is.

An upload (a browser's, a case store's, a decision's document) is stored before the
domain action records it. If the action refuses, or anything else fails, nothing may
stay stored::

    async with staged_files(storage, room_id) as staged:
        document = await staged.adopt(path, name, mime, size, sha256)
        await check_...(..., document)  # raises: every staged file is deleted again

While the block is open its keys are in :data:`IN_FLIGHT` (from before the file is
stored until after the row is committed or the file deleted), so that the orphan sweep
(:mod:`app.files.orphans`) never takes a file of an upload still in flight in this
process; for other processes it relies on its grace period.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

from app.storage.base import Storage
from rooms.casework.attachments import StoredFile

IN_FLIGHT: set[str] = set()
"""Keys of this process's open staging blocks."""


class StagedFiles:
    def __init__(self, storage: Storage, room_id: UUID) -> None:
        self.storage = storage
        self.room_id = room_id
        self.files: list[StoredFile] = []
        self.keys: list[str] = []
        """Every key this block registered in IN_FLIGHT (stored or not)."""

    async def adopt(self, path: Path, name: str, mime: str, size: int, sha256: str) -> StoredFile:
        """Move the checked file at ``path`` into storage under a new key of the room."""
        key = f"rooms/{self.room_id}/{uuid.uuid4()}"
        IN_FLIGHT.add(key)
        self.keys.append(key)
        await self.storage.adopt_file(key, path, mime)
        stored = StoredFile(key, name, mime, size, sha256)
        self.files.append(stored)
        return stored

    async def discard(self) -> None:
        for stored in self.files:
            await self.storage.delete(stored.storage_key)
        self.files.clear()


@asynccontextmanager
async def staged_files(storage: Storage, room_id: UUID) -> AsyncIterator[StagedFiles]:
    """Staged files are kept when the block ends normally, deleted when it raises."""
    staged = StagedFiles(storage, room_id)
    try:
        yield staged
    except BaseException:
        await staged.discard()
        raise
    finally:
        IN_FLIGHT.difference_update(staged.keys)
