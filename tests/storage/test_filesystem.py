"""The filesystem backend beyond the contract: permissions, atomicity, symlinks."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from app.storage import FileStorage, NotStored


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def upload(tmp_path: Path, data: bytes = b"content", name: str = "u") -> Path:
    path = tmp_path / f"{name}.tmp"
    path.write_bytes(data)
    return path


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tmp-")]


async def test_files_are_0600_and_directories_0700(tmp_path: Path) -> None:
    root = tmp_path / "files"
    storage = FileStorage(root)
    old = os.umask(0o000)  # even with a permissive umask
    try:
        await storage.put_file("rooms/r1/f1", upload(tmp_path), "text/plain")
    finally:
        os.umask(old)
    assert mode(root) == 0o700
    assert mode(root / "rooms") == 0o700
    assert mode(root / "rooms" / "r1") == 0o700
    assert mode(root / "rooms" / "r1" / "f1") == 0o600


async def test_existing_directories_on_the_way_are_tightened(tmp_path: Path) -> None:
    root = tmp_path / "files"
    (root / "rooms").mkdir(parents=True)
    (root / "rooms").chmod(0o755)
    await FileStorage(root).put_file("rooms/r1/f1", upload(tmp_path), "text/plain")
    assert mode(root / "rooms") == 0o700


async def test_put_leaves_no_temporary_file(tmp_path: Path) -> None:
    root = tmp_path / "files"
    storage = FileStorage(root)
    await storage.put_file("rooms/r1/f1", upload(tmp_path), "text/plain")
    await storage.put_file("rooms/r1/f1", upload(tmp_path, b"again"), "text/plain")
    assert leftovers(root) == []
    assert sorted(p.name for p in (root / "rooms" / "r1").iterdir()) == ["f1"]


async def test_a_failed_put_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "files"
    storage = FileStorage(root)
    await storage.put_file("rooms/r1/f1", upload(tmp_path, b"old"), "text/plain")

    def broken_copy(src: object, dst: object, length: int = 0) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copyfileobj", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        await storage.put_file("rooms/r1/f1", upload(tmp_path, b"new"), "text/plain")
    monkeypatch.undo()
    assert (root / "rooms" / "r1" / "f1").read_bytes() == b"old"
    assert leftovers(root) == []


async def test_a_missing_source_file_raises(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "files")
    with pytest.raises(FileNotFoundError):
        await storage.put_file("rooms/r1/f1", tmp_path / "nope.tmp", "text/plain")
    assert not await storage.exists("rooms/r1/f1")


async def test_a_missing_root_is_empty_and_created_on_put(tmp_path: Path) -> None:
    root = tmp_path / "not" / "yet"
    storage = FileStorage(root)
    assert not await storage.exists("rooms/a/b")
    await storage.delete("rooms/a/b")
    with pytest.raises(NotStored):
        await storage.open("rooms/a/b")
    assert not root.exists()
    await storage.put_file("rooms/a/b", upload(tmp_path), "text/plain")
    assert await storage.exists("rooms/a/b")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the root holding a secret at ``x/y``."""
    out = tmp_path / "outside"
    (out / "x").mkdir(parents=True)
    (out / "x" / "y").write_bytes(b"secret")
    return out


async def test_a_symlinked_directory_is_not_followed(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "files"
    root.mkdir()
    (root / "rooms").symlink_to(outside)
    storage = FileStorage(root)

    assert not await storage.exists("rooms/x/y")
    with pytest.raises(NotStored):
        await storage.open("rooms/x/y")
    with pytest.raises(NotStored):
        await storage.size("rooms/x/y")
    await storage.delete("rooms/x/y")
    assert (outside / "x" / "y").read_bytes() == b"secret"

    with pytest.raises(OSError):
        await storage.put_file("rooms/x/y", upload(tmp_path, b"evil"), "text/plain")
    with pytest.raises(OSError):
        await storage.put_file("rooms/x/new", upload(tmp_path, b"evil"), "text/plain")
    assert (outside / "x" / "y").read_bytes() == b"secret"
    assert sorted(p.name for p in (outside / "x").iterdir()) == ["y"]


async def test_a_symlinked_file_is_not_followed(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "files"
    (root / "rooms" / "r1").mkdir(parents=True)
    link = root / "rooms" / "r1" / "f1"
    link.symlink_to(outside / "x" / "y")
    storage = FileStorage(root)

    assert not await storage.exists("rooms/r1/f1")
    with pytest.raises(NotStored):
        await storage.open("rooms/r1/f1")
    with pytest.raises(NotStored):
        await storage.size("rooms/r1/f1")

    # A put replaces the link itself; the file it pointed to stays untouched.
    await storage.put_file("rooms/r1/f1", upload(tmp_path, b"mine"), "text/plain")
    assert not link.is_symlink()
    assert link.read_bytes() == b"mine"
    assert (outside / "x" / "y").read_bytes() == b"secret"

    # A delete removes a link, never its target.
    link.unlink()
    link.symlink_to(outside / "x" / "y")
    await storage.delete("rooms/r1/f1")
    assert not link.is_symlink()
    assert (outside / "x" / "y").read_bytes() == b"secret"


async def test_a_symlinked_root_is_the_operators_choice(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    storage = FileStorage(tmp_path / "link")
    await storage.put_file("rooms/a/b", upload(tmp_path, b"ok"), "text/plain")
    assert (real / "rooms" / "a" / "b").read_bytes() == b"ok"


async def test_adopting_on_the_same_filesystem_moves_instead_of_copying(tmp_path: Path) -> None:
    import os

    storage = FileStorage(tmp_path / "files")
    source = upload(tmp_path, b"moved")
    inode = os.stat(source).st_ino
    await storage.adopt_file("rooms/r1/f1", source, "text/plain")
    stored = tmp_path / "files" / "rooms" / "r1" / "f1"
    assert os.stat(stored).st_ino == inode and not source.exists()
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert leftovers(tmp_path / "files") == []
