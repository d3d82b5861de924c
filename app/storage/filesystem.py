"""Attachments as files under one directory: the embedded default.

Key ``rooms/<room-id>/<uuid>`` is the file ``<root>/rooms/<room-id>/<uuid>``. Files are
created 0600 and directories 0700. A put copies into a temporary file in the target's
directory (named ``.tmp-…``, which no valid key can name), fsyncs it, renames it over
the target and fsyncs the directory, so readers see the old file or the whole new one.

Paths are walked one component at a time from a descriptor of the root with
``O_NOFOLLOW`` (and ``dir_fd``), so a symlink planted inside the root is never followed,
neither out of the root nor within it. All blocking calls run in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.storage.base import CHUNK_SIZE, Listed, NotStored, check_key, is_key

FILE_MODE = 0o600
DIR_MODE = 0o700
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR)
"""Errors that mean "nothing stored there": a missing component, a non-directory or a
symlink on the way, or a directory where the file should be."""


class FileStorage:
    """The filesystem backend of ``Storage``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileStorage({str(self.root)!r})"

    # -- the interface -------------------------------------------------------------

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._put, key, Path(path))

    async def adopt_file(self, key: str, path: Path, content_type: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._adopt, key, Path(path))

    async def open(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        fh = await asyncio.to_thread(self._open_for_reading, key)
        return _chunks(fh)

    async def delete(self, key: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._delete, key)

    async def exists(self, key: str) -> bool:
        check_key(key)
        return await asyncio.to_thread(self._stat, key) is not None

    async def size(self, key: str) -> int:
        check_key(key)
        st = await asyncio.to_thread(self._stat, key)
        if st is None:
            raise NotStored(key)
        return st.st_size

    # -- blocking helpers, run in threads ------------------------------------------

    async def listing(self, prefix: str) -> AsyncIterator[Listed]:
        check_key(prefix)
        top = self.root / prefix
        if not top.is_dir() or top.is_symlink():
            return
        walker = os.walk(top)  # does not descend into symlinked directories
        while (batch := await asyncio.to_thread(self._list_directory, walker)) is not None:
            for listed in batch:
                yield listed

    def _list_directory(
        self, walker: Iterator[tuple[str, list[str], list[str]]]
    ) -> list[Listed] | None:
        """The regular files of the walk's next directory (None: the walk is over)."""
        step = next(walker, None)
        if step is None:
            return None
        directory, _, names = step
        found = []
        for name in names:
            key = os.path.relpath(os.path.join(directory, name), self.root)
            if not is_key(key):
                continue  # a put's temporary file (``.tmp-…``) or something not ours
            try:
                st = os.lstat(os.path.join(directory, name))
            except FileNotFoundError:
                continue  # deleted meanwhile
            if stat.S_ISREG(st.st_mode):
                found.append(Listed(key, datetime.fromtimestamp(st.st_mtime, UTC)))
        return found

    def _root_fd(self, create: bool) -> int:
        if create:
            self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        # The configured root itself may be a symlink (an operator's choice); only what
        # lies below it is walked without following links.
        return os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    @contextlib.contextmanager
    def _parent(self, key: str, create: bool) -> Iterator[tuple[int, str]]:
        """Yield (descriptor of the key's directory, file name), walking from the root."""
        *dirs, name = key.split("/")
        fd = self._root_fd(create)
        try:
            for part in dirs:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, DIR_MODE, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
                if create:
                    os.fchmod(fd, DIR_MODE)
            yield fd, name
        finally:
            os.close(fd)

    def _put(self, key: str, source: Path) -> None:
        with source.open("rb") as src, self._parent(key, create=True) as (dfd, name):
            tmp = f".tmp-{secrets.token_hex(8)}"
            out = os.open(
                tmp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                FILE_MODE,
                dir_fd=dfd,
            )
            try:
                os.fchmod(out, FILE_MODE)
                with os.fdopen(out, "wb", closefd=False) as dst:
                    shutil.copyfileobj(src, dst, CHUNK_SIZE * 16)
                os.fsync(out)
                os.close(out)
                out = -1
                os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                if out >= 0:
                    os.close(out)
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dfd)
                raise
            os.fsync(dfd)

    def _adopt(self, key: str, source: Path) -> None:
        """Move ``source`` into place (same filesystem), else copy it and remove it."""
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ValueError(f"{source} is not a regular file")
            os.fchmod(fd, FILE_MODE)
            os.fsync(fd)
        finally:
            os.close(fd)
        with self._parent(key, create=True) as (dfd, name):
            try:
                os.rename(source, name, dst_dir_fd=dfd)
            except OSError:  # another filesystem: write it here, then let go of it
                pass
            else:
                os.fsync(dfd)
                return
        self._put(key, source)
        source.unlink(missing_ok=True)

    def _open_for_reading(self, key: str) -> BinaryIO:
        try:
            with self._parent(key, create=False) as (dfd, name):
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
        except OSError as exc:
            if exc.errno in _MISSING:
                raise NotStored(key) from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotStored(key)
        except BaseException:
            os.close(fd)
            raise
        return os.fdopen(fd, "rb", buffering=0)

    def _delete(self, key: str) -> None:
        try:
            with self._parent(key, create=False) as (dfd, name):
                os.unlink(name, dir_fd=dfd)
                os.fsync(dfd)
        except OSError as exc:
            if exc.errno not in _MISSING:
                raise

    def _stat(self, key: str) -> os.stat_result | None:
        try:
            with self._parent(key, create=False) as (dfd, name):
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in _MISSING:
                return None
            raise
        return st if stat.S_ISREG(st.st_mode) else None


async def _chunks(fh: BinaryIO) -> AsyncIterator[bytes]:
    """Read ``fh`` in chunks of at most CHUNK_SIZE, closing it at the end."""
    try:
        while chunk := await asyncio.to_thread(fh.read, CHUNK_SIZE):
            yield chunk
    finally:
        fh.close()
