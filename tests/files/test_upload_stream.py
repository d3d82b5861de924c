"""The streamed multipart receiver: what it writes and hashes is exactly what was sent."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator

import pytest

from app.files import upload_stream
from app.files.upload_stream import BadUpload, TooLarge, receive

BOUNDARY = "testboundary7d1f"


def body(files: list[tuple[str, bytes]], fields: dict[str, str] | None = None) -> bytes:
    out = b""
    for name, value in (fields or {}).items():
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for filename, content in files:
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def received(data: bytes, chunk: int, tmp_path, **limits):  # type: ignore[no-untyped-def]
    return await receive(
        f"multipart/form-data; boundary={BOUNDARY}",
        chunks(data, chunk),
        directory=tmp_path,
        max_file=limits.get("max_file", 10 * 1024 * 1024),
        max_files=limits.get("max_files", 5),
    )


@pytest.mark.parametrize("chunk", [7, 4096, 1024 * 1024])
async def test_files_and_fields_arrive_whole_with_their_hashes(tmp_path, chunk: int) -> None:
    first, second = os.urandom(3 * 1024 * 1024 + 17), b"%PDF-1.4\n" + os.urandom(5000)
    upload = await received(
        body([("a.pdf", first), ("b.pdf", second)], {"item": "x1"}), chunk, tmp_path
    )
    try:
        assert upload.fields == {"item": "x1"}
        assert [f.name for f in upload.files] == ["a.pdf", "b.pdf"]
        for file, content in zip(upload.files, (first, second), strict=True):
            assert file.path.read_bytes() == content
            assert file.size == len(content)
            assert file.sha256 == hashlib.sha256(content).hexdigest()
    finally:
        upload.discard()
    assert list(tmp_path.iterdir()) == []


async def test_more_pieces_than_one_writev_takes(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(upload_stream, "_IOV_MAX", 3)  # force several writev groups
    content = os.urandom(200_000)
    upload = await received(body([("c.pdf", content)]), 100, tmp_path)
    try:
        assert upload.files[0].path.read_bytes() == content
        assert upload.files[0].sha256 == hashlib.sha256(content).hexdigest()
    finally:
        upload.discard()


async def test_a_file_over_the_limit_stops_and_leaves_nothing(tmp_path) -> None:
    with pytest.raises(TooLarge):
        await received(
            body([("big.pdf", os.urandom(3 * 1024 * 1024))]), 65536, tmp_path, max_file=1024 * 1024
        )
    assert list(tmp_path.iterdir()) == []


async def test_a_broken_body_is_refused_and_leaves_nothing(tmp_path) -> None:
    broken = body([("a.pdf", os.urandom(2 * 1024 * 1024))])[:-40]  # cut before the end
    with pytest.raises(BadUpload):
        await received(broken, 65536, tmp_path)
    assert list(tmp_path.iterdir()) == []
