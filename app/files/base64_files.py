"""The receive step for the small base64 files of a JSON body (the machine API).

The same result as a multipart body (``ReceivedUpload``, one temporary file each,
size and SHA-256), for files that arrived already in memory, decoded strictly.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.files.upload_stream import ReceivedFile, ReceivedUpload, TooLarge


class BadEncoding(Exception):
    """A base64 file is not valid base64 (RFC 4648, with padding)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"file {index}")
        self.index = index


async def receive_base64(
    files: Sequence[tuple[str, str]], *, directory: Path, max_file: int, max_files: int
) -> ReceivedUpload:
    """Decode each ``(name, base64)`` strictly to a temporary file in ``directory``.

    For the small files of a JSON body (the caller bounds the body first): each is
    decoded in memory. Raises TooLarge (``index`` names the file) or BadEncoding;
    the files written so far are removed then.
    """
    if len(files) > max_files:
        raise TooLarge("count")
    upload = ReceivedUpload()
    try:
        for index, (name, encoded) in enumerate(files):
            if len(encoded) > (max_file + 2) // 3 * 4 + 4:
                raise TooLarge("file", index)
            try:
                content = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise BadEncoding(index) from None
            if len(content) > max_file:
                raise TooLarge("file", index)
            path = await asyncio.to_thread(_write_temp, directory, content)
            upload.files.append(
                ReceivedFile(path, name, None, len(content), hashlib.sha256(content).hexdigest())
            )
            del content
    except BaseException:
        upload.discard()
        raise
    return upload


def _write_temp(directory: Path, content: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return Path(name)


def decoded_size(encoded: str) -> int:
    """The number of bytes a padded base64 string decodes to, without decoding it.

    Exact for valid base64; for anything else an upper bound (decoding refuses it).
    """
    return (len(encoded) + 3) // 4 * 3 - encoded[-2:].count("=")
