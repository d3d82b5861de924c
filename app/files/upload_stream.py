"""The receive step of an upload: its files to temporary files, hashed on the way.

Two forms, one result (``ReceivedUpload``):

- ``receive``: a multipart body in constant memory. The body is parsed incrementally
  (``multipart.PushMultipartParser``); each file part goes straight to its own
  temporary file while its SHA-256 and size are computed. A limit crossed mid-stream
  stops reading at once.
- ``app.files.base64_files.receive_base64``: the small base64 files of a JSON body
  (already in memory), decoded strictly, each to its own temporary file.

A form may have its first part checked before anything else is taken (``first_part``:
the page forms' CSRF token, which travels as the form's first field so that it is
never in a URL): the check is called when the first part is complete, or with
``None`` as soon as a file part comes first, before its temporary file exists; it
raises to refuse the body, and nothing after the first part is read.

Temporary files are removed by the caller on every path (``ReceivedUpload.discard``)
and swept at start-up. ``fingerprint`` reads a multipart body again without storing
anything: it names what was sent (fields and files), whatever the boundary.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from multipart import MultipartError, ParserLimitReached, PushMultipartParser, parse_options_header

CHUNK_LIMIT_FIELDS = 64 * 1024  # a plain form field (item id) is tiny
FLUSH_SIZE = 1024 * 1024
"""Bytes gathered before they are hashed and written in a worker thread."""
WRITEBACK_EVERY = 16 * 1024 * 1024
"""Bytes written between two nudges to the kernel to start writing them back."""


def _start_writeback(fd: int) -> None:
    """Ask the kernel to start writing the file's dirty pages back, without waiting.

    On Linux, ``POSIX_FADV_DONTNEED`` starts asynchronous writeback of the range (and
    drops the pages already clean). ``fdatasync`` here would wait for the disk in the
    middle of the upload; this way the final fsync finds most of the data written.
    Measured on 200 MiB: receive + final fsync 0.20 s, against 0.26 s with a periodic
    fdatasync and 0.25 s with neither.
    """
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


class _Sink:
    """Writes a file's bytes and hashes them, with the hashing in a worker thread.

    Writing stays on the event loop, as a bare handler would do it (a page-cache
    write of a megabyte is quick); hashing, which costs about as much as receiving
    the body, runs in a worker thread (hashlib releases the GIL), so it overlaps with
    receiving and parsing on another core. The parser's pieces are kept as they are
    (a list, no concatenation: every copy of 200 MB costs more than the parsing) and
    written with one ``writev``. Every ``WRITEBACK_EVERY`` bytes the worker also asks
    the kernel to start writing back, so that the storage's final fsync after the
    last byte is short. Memory stays bounded: at most two batches of ``FLUSH_SIZE`` per upload.
    """

    def __init__(self, handle: Any | None) -> None:
        self.handle = handle  # None: only hash (a repeated request's fingerprint)
        self.fd: int | None = None if handle is None else handle.fileno()
        self.digest = hashlib.sha256()
        self.pieces: list[bytes | bytearray] = []
        self.gathered = 0
        self.since_writeback = 0
        self.pending: asyncio.Future[None] | None = None

    def _hash(self, pieces: list[bytes | bytearray], writeback: bool) -> None:
        for piece in pieces:
            self.digest.update(piece)
        if writeback and self.fd is not None:
            _start_writeback(self.fd)

    async def add(self, data: bytes | bytearray) -> None:
        self.pieces.append(data)
        self.gathered += len(data)
        if self.gathered >= FLUSH_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        pieces, self.pieces = self.pieces, []
        if not pieces:
            return
        if self.fd is not None:
            _write_all(self.fd, pieces)
        self.since_writeback += self.gathered
        self.gathered = 0
        writeback = self.since_writeback >= WRITEBACK_EVERY
        if writeback:
            self.since_writeback = 0
        if self.pending is not None:
            await self.pending
        # run_in_executor submits at once; ensure_future(to_thread(...)) would start
        # the thread only when this task next yields to the loop.
        loop = asyncio.get_running_loop()
        self.pending = loop.run_in_executor(None, self._hash, pieces, writeback)

    async def finish(self) -> str:
        await self._flush()
        if self.pending is not None:
            await self.pending
        self._close()
        return self.digest.hexdigest()

    async def abandon(self) -> None:
        if self.pending is not None:
            with contextlib.suppress(Exception):
                await self.pending
        self._close()

    def _close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _write_all(fd: int, pieces: list[bytes | bytearray]) -> None:
    """``writev`` in groups the kernel accepts, finishing any short write."""
    for start in range(0, len(pieces), _IOV_MAX):
        group = pieces[start : start + _IOV_MAX]
        written = os.writev(fd, group)
        for piece in group:
            if written >= len(piece):
                written -= len(piece)
                continue
            view = memoryview(piece)[written:]
            while view:
                view = view[os.write(fd, view) :]
            written = 0


_IOV_MAX = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") else 16


FirstPart = Callable[[str | None, str], None]
"""Checks a body's first part: its field name and value, or ``None`` when a file came first
(or no part at all). Raises to refuse the body."""


class TooLarge(Exception):
    """A file, or the whole upload, is over its limit.

    ``what``: ``"file"`` (one file; ``index`` is its position when known), ``"count"``
    (more files than allowed), ``"total"`` (all files together) or ``"body"`` (the
    declared length of the whole body).
    """

    def __init__(
        self, what: Literal["file", "count", "total", "body"] = "file", index: int | None = None
    ) -> None:
        super().__init__(what if index is None else f"{what} {index}")
        self.what = what
        self.index = index


class BadUpload(Exception):
    """Not a well-formed multipart/form-data body."""


def _field_text(value: bytearray) -> str:
    """A text field's value: UTF-8 or the body is refused (never U+FFFD in its place)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise BadUpload("a text field is not UTF-8") from None


@dataclass
class ReceivedFile:
    path: Path
    name: str
    claimed_type: str | None
    size: int = 0
    sha256: str = ""
    field: str = ""
    """The form field (part name) the file came in."""


@dataclass
class ReceivedUpload:
    files: list[ReceivedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    stored: bool = True
    """False for a fingerprint: the files' paths were never created."""

    def discard(self) -> None:
        if not self.stored:
            return
        for received in self.files:
            received.path.unlink(missing_ok=True)

    def fingerprint(self) -> str:
        """SHA-256 over the fields and the files (field, name, type, size, SHA-256).

        The same for every sending of the same form, whatever its multipart boundary.
        """
        digest = hashlib.sha256()

        def put(*values: str) -> None:
            for value in values:
                encoded = value.encode("utf-8", "surrogatepass")
                digest.update(len(encoded).to_bytes(8, "big"))
                digest.update(encoded)

        for name, value in sorted(self.fields.items()):
            put("field", name, value)
        for file in self.files:
            put("file", file.field, file.name, file.claimed_type or "", str(file.size))
            put(file.sha256)
        return digest.hexdigest()


def temp_dir(data_dir: Path) -> Path:
    path = data_dir / "tmp" / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sweep(data_dir: Path) -> int:
    """Remove temporary files a crashed process left behind; returns how many."""
    removed = 0
    for leftover in temp_dir(data_dir).glob("upload-*"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


async def receive(
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    directory: Path,
    max_file: int,
    max_files: int,
    max_total: int | None = None,
    max_field: int = CHUNK_LIMIT_FIELDS,
    first_part: FirstPart | None = None,
) -> ReceivedUpload:
    """Stream the body's file parts to ``directory``; raise TooLarge or BadUpload.

    ``first_part``: the check of the body's first part (see the module's docstring).
    """
    return await _receive(
        content_type,
        body,
        directory=directory,
        max_file=max_file,
        max_files=max_files,
        max_total=max_total,
        max_field=max_field,
        first_part=first_part,
    )


async def fingerprint(
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    max_file: int,
    max_files: int,
    max_field: int = CHUNK_LIMIT_FIELDS,
) -> str:
    """``ReceivedUpload.fingerprint`` of a multipart body, storing nothing (constant memory).

    Raises TooLarge or BadUpload like ``receive``.
    """
    upload = await _receive(
        content_type,
        body,
        directory=None,
        max_file=max_file,
        max_files=max_files,
        max_total=None,
        max_field=max_field,
    )
    return upload.fingerprint()


def _limit_reached(exc: ParserLimitReached, file: int | None) -> TooLarge:
    """The parser's own limits: too many parts, or a part (the file ``file``) too large."""
    return TooLarge("count") if "segment count" in str(exc) else TooLarge("file", file)


async def _receive(
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    directory: Path | None,
    max_file: int,
    max_files: int,
    max_total: int | None,
    max_field: int,
    first_part: FirstPart | None = None,
) -> ReceivedUpload:
    mime, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if mime != "multipart/form-data" or not boundary:
        raise BadUpload("expected multipart/form-data")
    upload = ReceivedUpload(stored=directory is not None)
    current: ReceivedFile | None = None
    field_name: str | None = None
    field_value = bytearray()
    sink: _Sink | None = None
    total = 0
    gate = first_part  # None once the first part has passed
    try:
        with PushMultipartParser(
            boundary, max_segment_count=max_files + 10, max_segment_size=max_file + 1
        ) as parser:
            async for chunk in body:
                for event in parser.parse(chunk):
                    if event is None:  # end of a part
                        if current is not None and sink is not None:
                            current.sha256 = await sink.finish()
                            sink = None
                            current = None
                        elif field_name is not None:
                            value = _field_text(field_value)
                            if gate is not None:
                                check, gate = gate, None
                                check(field_name, value)
                            upload.fields[field_name] = value
                            field_name = None
                    elif isinstance(event, bytearray | bytes):
                        if current is not None and sink is not None:
                            current.size += len(event)
                            if current.size > max_file:
                                raise TooLarge("file", len(upload.files) - 1)
                            total += len(event)
                            if max_total is not None and total > max_total:
                                raise TooLarge("total")
                            await sink.add(event)
                        elif field_name is not None:
                            field_value += event
                            if len(field_value) > max_field:
                                raise BadUpload("form field too long")
                    elif event.filename is not None:  # a new file part
                        if gate is not None:  # a file before the first part's check
                            check, gate = gate, None
                            check(None, "")
                        if not event.filename:
                            continue  # an empty file input: nothing chosen
                        if len(upload.files) >= max_files:
                            raise TooLarge("count")
                        if directory is None:
                            sink, path = _Sink(None), Path(os.devnull)
                        else:
                            fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
                            sink, path = _Sink(os.fdopen(fd, "wb")), Path(name)
                        current = ReceivedFile(
                            path, event.filename, event.content_type, field=event.name or ""
                        )
                        upload.files.append(current)
                    else:
                        field_name, field_value = event.name or "", bytearray()
        if gate is not None:  # no part at all
            gate(None, "")
    except ParserLimitReached as exc:
        upload.discard()
        raise _limit_reached(exc, len(upload.files) - 1 if current else None) from exc
    except MultipartError as exc:
        upload.discard()
        raise BadUpload(str(exc)) from exc
    except BaseException:
        upload.discard()
        raise
    finally:
        if sink is not None:
            await sink.abandon()
    return upload
