"""The storage contract: the same tests for every backend (see conftest's ``storage``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.storage import FileStorage, NotStored, Storage
from tests.storage.conftest import BigFile

KEY = "rooms/0b6f3c1e-2d4a-4f7e-9a51-7c2d0e8b1f00/5e0d1c7a-9b3e-4a62-8f10-2c4d6e8a0b13"

BAD_KEYS = [
    "",
    "/rooms/a/b",
    "rooms/a/b/",
    "rooms//b",
    "rooms/../etc/passwd",
    "..",
    "rooms/a/..",
    "rooms/./b",
    "Rooms/a/b",
    "rooms/a b",
    "rooms/a_b",
    "rooms\\a",
    "rooms/a\x00b",
    "rooms/a\nb",
    "rooms/ä",
    "rooms/.tmp-x",
    "r" * 513,
]


def small_file(tmp_path: Path, data: bytes = b"%PDF-1.7 hello\n", name: str = "f") -> Path:
    path = tmp_path / f"upload-{name}.tmp"
    path.write_bytes(data)
    return path


async def read_all(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])


MAX_CHUNK: dict[type, int] = {FileStorage: 64 * 1024}
"""The largest chunk a backend may yield; others (S3) are checked against 1 MiB."""


async def test_round_trip_of_a_30_mb_file_in_bounded_chunks(
    storage: Storage, big_file: BigFile
) -> None:
    await storage.put_file(KEY, big_file.path, "application/pdf")
    assert big_file.path.exists(), "put_file leaves the caller's temp file in place"
    assert await storage.exists(KEY)
    assert await storage.size(KEY) == big_file.size

    limit = MAX_CHUNK.get(type(storage), 1024 * 1024)
    digest = hashlib.sha256()
    total = chunks = 0
    async for chunk in await storage.open(KEY):
        assert isinstance(chunk, bytes)
        assert 0 < len(chunk) <= limit
        digest.update(chunk)
        total += len(chunk)
        chunks += 1
    assert total == big_file.size
    assert digest.hexdigest() == big_file.sha256
    assert chunks >= big_file.size // limit


async def test_small_and_empty_files(storage: Storage, tmp_path: Path) -> None:
    await storage.put_file("rooms/a/small", small_file(tmp_path), "application/pdf")
    assert await read_all(storage, "rooms/a/small") == b"%PDF-1.7 hello\n"
    assert await storage.size("rooms/a/small") == 15

    await storage.put_file("rooms/a/empty", small_file(tmp_path, b"", "e"), "text/plain")
    assert await storage.exists("rooms/a/empty")
    assert await storage.size("rooms/a/empty") == 0
    assert await read_all(storage, "rooms/a/empty") == b""


async def test_put_replaces(storage: Storage, tmp_path: Path) -> None:
    await storage.put_file(KEY, small_file(tmp_path, b"first", "1"), "text/plain")
    await storage.put_file(KEY, small_file(tmp_path, b"second!", "2"), "text/plain")
    assert await read_all(storage, KEY) == b"second!"
    assert await storage.size(KEY) == 7


async def test_keys_are_independent(storage: Storage, tmp_path: Path) -> None:
    await storage.put_file("rooms/a/one", small_file(tmp_path, b"1", "1"), "text/plain")
    await storage.put_file("rooms/b/one", small_file(tmp_path, b"22", "2"), "text/plain")
    await storage.delete("rooms/a/one")
    assert not await storage.exists("rooms/a/one")
    assert await read_all(storage, "rooms/b/one") == b"22"


async def test_delete_is_idempotent(storage: Storage, tmp_path: Path) -> None:
    await storage.put_file(KEY, small_file(tmp_path), "application/pdf")
    await storage.delete(KEY)
    assert not await storage.exists(KEY)
    await storage.delete(KEY)
    await storage.delete("rooms/never/stored")
    assert not await storage.exists(KEY)


async def test_missing_key(storage: Storage) -> None:
    assert not await storage.exists("rooms/x/missing")
    with pytest.raises(NotStored):
        await storage.size("rooms/x/missing")
    with pytest.raises(NotStored) as info:
        await storage.open("rooms/x/missing")
    assert info.value.key == "rooms/x/missing"


async def test_a_directory_like_prefix_is_not_a_file(storage: Storage, tmp_path: Path) -> None:
    await storage.put_file("rooms/a/b", small_file(tmp_path), "application/pdf")
    assert not await storage.exists("rooms/a")
    with pytest.raises(NotStored):
        await storage.open("rooms/a")
    with pytest.raises(NotStored):
        await storage.size("rooms")


async def test_stream_can_be_closed_early(storage: Storage, big_file: BigFile) -> None:
    await storage.put_file(KEY, big_file.path, "application/octet-stream")
    stream = await storage.open(KEY)
    first = await anext(stream)
    assert first
    await stream.aclose()  # type: ignore[attr-defined]
    assert await storage.size(KEY) == big_file.size


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_are_refused(storage: Storage, tmp_path: Path, key: str) -> None:
    upload = small_file(tmp_path)
    with pytest.raises(ValueError):
        await storage.put_file(key, upload, "application/pdf")
    with pytest.raises(ValueError):
        await storage.open(key)
    with pytest.raises(ValueError):
        await storage.delete(key)
    with pytest.raises(ValueError):
        await storage.exists(key)
    with pytest.raises(ValueError):
        await storage.size(key)


async def test_backends_satisfy_the_protocol(storage: Storage) -> None:
    assert isinstance(storage, Storage)


async def test_adopt_takes_the_file(storage, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "adopted.tmp"
    source.write_bytes(b"taken over")
    await storage.adopt_file("rooms/r1/adopted", source, "text/plain")
    assert not source.exists()
    chunks = [c async for c in await storage.open("rooms/r1/adopted")]
    assert b"".join(chunks) == b"taken over"
