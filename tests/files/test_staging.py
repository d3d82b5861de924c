"""Staged files: kept when the change is recorded, removed when it is not."""

from __future__ import annotations

import uuid

import pytest

from app.files.staging import staged_files
from app.storage import FileStorage


async def stage_two(staged, tmp_path):  # type: ignore[no-untyped-def]
    keys = []
    for n in range(2):
        source = tmp_path / f"in-{n}.pdf"
        source.write_bytes(b"%PDF-1.4 " + bytes([n]))
        stored = await staged.adopt(source, f"datei-{n}.pdf", "application/pdf", 10, "0" * 64)
        assert not source.exists()  # moved into storage, not copied
        keys.append(stored.storage_key)
    return keys


async def test_a_block_that_ends_keeps_its_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    storage, room = FileStorage(tmp_path / "files"), uuid.uuid4()
    async with staged_files(storage, room) as staged:
        keys = await stage_two(staged, tmp_path)
    assert [s.storage_key for s in staged.files] == keys
    assert all(k.startswith(f"rooms/{room}/") for k in keys)
    assert [await storage.exists(k) for k in keys] == [True, True]


async def test_a_block_that_raises_leaves_nothing_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    storage = FileStorage(tmp_path / "files")
    keys: list[str] = []
    with pytest.raises(RuntimeError, match="refused"):
        async with staged_files(storage, uuid.uuid4()) as staged:
            keys = await stage_two(staged, tmp_path)
            raise RuntimeError("refused by the domain")
    assert len(keys) == 2
    assert [await storage.exists(k) for k in keys] == [False, False]
