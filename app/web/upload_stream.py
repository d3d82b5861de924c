"""Receive a multipart upload in constant memory: to temporary files, hashed on the way.

The body is parsed incrementally (``multipart.PushMultipartParser``); each file part
goes straight to its own temporary file while its SHA-256 and size are computed. A
limit crossed mid-stream stops reading at once. Temporary files are removed by the
caller on every path (``ReceivedUpload.discard``) and swept at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multipart import MultipartError, ParserLimitReached, PushMultipartParser, parse_options_header

CHUNK_LIMIT_FIELDS = 64 * 1024  # a plain form field (item id) is tiny
FLUSH_SIZE = 1024 * 1024
"""Bytes gathered before they are hashed and written in a worker thread."""


class _Sink:
    """Hashes and writes a file's bytes in a worker thread while the next ones arrive.

    hashlib and file writes release the GIL, so with one flush in flight the event
    loop keeps parsing the body on the other core. Memory stays bounded: at most two
    buffers of FLUSH_SIZE per upload.
    """

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.buffer = bytearray()
        self.pending: asyncio.Future[None] | None = None

    def _write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)

    async def add(self, data: bytes | bytearray) -> None:
        self.buffer += data
        if len(self.buffer) >= FLUSH_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        if self.pending is not None:
            await self.pending
        data, self.buffer = bytes(self.buffer), bytearray()
        self.pending = asyncio.ensure_future(asyncio.to_thread(self._write, data))

    async def finish(self) -> str:
        await self._flush()
        if self.pending is not None:
            await self.pending
        self.handle.close()
        return self.digest.hexdigest()

    async def abandon(self) -> None:
        if self.pending is not None:
            with contextlib.suppress(Exception):
                await self.pending
        self.handle.close()


class TooLarge(Exception):
    """A file, or the whole upload, is over its limit."""


class BadUpload(Exception):
    """Not a well-formed multipart/form-data body."""


@dataclass
class ReceivedFile:
    path: Path
    name: str
    claimed_type: str | None
    size: int = 0
    sha256: str = ""


@dataclass
class ReceivedUpload:
    files: list[ReceivedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        for received in self.files:
            received.path.unlink(missing_ok=True)


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
) -> ReceivedUpload:
    """Stream the body's file parts to ``directory``; raise TooLarge or BadUpload."""
    mime, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if mime != "multipart/form-data" or not boundary:
        raise BadUpload("expected multipart/form-data")
    upload = ReceivedUpload()
    current: ReceivedFile | None = None
    field_name: str | None = None
    field_value = bytearray()
    sink: _Sink | None = None
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
                            upload.fields[field_name] = field_value.decode("utf-8", "replace")
                            field_name = None
                    elif isinstance(event, bytearray | bytes):
                        if current is not None and sink is not None:
                            current.size += len(event)
                            if current.size > max_file:
                                raise TooLarge()
                            await sink.add(event)
                        elif field_name is not None:
                            field_value += event
                            if len(field_value) > CHUNK_LIMIT_FIELDS:
                                raise BadUpload("form field too long")
                    elif event.filename is not None:  # a new file part
                        if not event.filename:
                            continue  # an empty file input: nothing chosen
                        if len(upload.files) >= max_files:
                            raise TooLarge()
                        fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
                        sink = _Sink(os.fdopen(fd, "wb"))
                        current = ReceivedFile(Path(name), event.filename, event.content_type)
                        upload.files.append(current)
                    else:
                        field_name, field_value = event.name or "", bytearray()
    except ParserLimitReached as exc:
        upload.discard()
        raise TooLarge() from exc
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
