"""The orphan sweep: what an upload killed between store and record leaves is deleted.

On both backends (the filesystem and S3 through moto) and both databases: a stored
file that no attachment names goes once it is older than the grace period; a named
file, a young file and a file of an upload still in flight stay.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.files.orphans import sweep_orphans
from app.files.staging import staged_files
from app.settings import StorageSettings
from app.storage import FileStorage, Storage
from rooms.casework.attachments import StoredFile
from rooms.casework.posting import check_post_message
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings
from tests.servers import running

pytestmark = pytest.mark.usefixtures("database")

GRACE = timedelta(hours=1)
LATER = timedelta(hours=2)  # a "now" at which every file of the test is older than GRACE


async def _store(storage: Storage, tmp_path: Path, key: str, content: bytes = b"%PDF-1.7") -> Path:
    source = tmp_path / f"src-{uuid.uuid4().hex}"
    source.write_bytes(content)
    await storage.put_file(key, source, "application/pdf")
    return source


async def test_orphans_older_than_the_grace_period_are_deleted(
    storage: Storage, tmp_path: Path
) -> None:
    room = (await builders.room(ERIKA, message=None)).room.id
    named, orphan = f"rooms/{room}/{uuid.uuid4()}", f"rooms/{room}/{uuid.uuid4()}"
    elsewhere = f"exports/{uuid.uuid4()}"  # not under rooms/: not the sweep's business
    for key in (named, orphan, elsewhere):
        await _store(storage, tmp_path, key)
    sha = hashlib.sha256(b"%PDF-1.7").hexdigest()
    await check_post_message(
        ERIKA, room, "Anbei", [StoredFile(named, "a.pdf", "application/pdf", 8, sha)]
    )

    assert await sweep_orphans(storage, grace=GRACE) == 0  # everything is young
    assert await storage.exists(orphan)

    assert await sweep_orphans(storage, grace=GRACE, now=datetime.now(UTC) + LATER) == 1
    assert not await storage.exists(orphan)
    assert await storage.exists(named) and await storage.exists(elsewhere)


async def test_an_upload_in_flight_is_never_swept(storage: Storage, tmp_path: Path) -> None:
    room = (await builders.room(ERIKA, message=None)).room.id
    source = tmp_path / "upload.pdf"
    source.write_bytes(b"%PDF-1.7")
    with pytest.raises(RuntimeError):
        async with staged_files(storage, room) as staged:
            stored = await staged.adopt(source, "a.pdf", "application/pdf", 8, "0" * 64)
            later = datetime.now(UTC) + LATER
            assert await sweep_orphans(storage, grace=timedelta(0), now=later) == 0
            assert await storage.exists(stored.storage_key)
            raise RuntimeError("the record step failed")
    assert not await storage.exists(stored.storage_key)  # the block's own clean-up


async def test_many_orphans_are_judged_in_batches(storage: Storage, tmp_path: Path) -> None:
    room = (await builders.room(ERIKA, message=None)).room.id
    keys = [f"rooms/{room}/{uuid.uuid4()}" for _ in range(620)]  # more than one batch
    await asyncio.gather(*(_store(storage, tmp_path, k) for k in keys))
    later = datetime.now(UTC) + LATER
    assert await sweep_orphans(storage, grace=GRACE, now=later) == len(keys)
    assert [x async for x in storage.listing("rooms")] == []


async def test_the_app_sweeps_at_start_up(database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    files = tmp_path / "files"
    storage = FileStorage(files)
    orphan = f"rooms/{uuid.uuid4()}/{uuid.uuid4()}"
    await _store(storage, tmp_path, orphan)
    conf = StorageSettings(path=str(files), orphan_grace_seconds=0)
    async with running(create_app(make_settings(tmp_path, storage=conf), engine=database)):
        deadline = time.monotonic() + 10
        while await storage.exists(orphan) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # polling the lifespan's first sweep, bounded
        assert not await storage.exists(orphan)
