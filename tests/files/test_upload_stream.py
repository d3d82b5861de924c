"""The streamed multipart receiver: what it writes and hashes is exactly what was sent."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import AsyncIterator

import pytest

from app.files import base64_files, upload_stream
from app.files.upload_stream import BadUpload, TooLarge, receive

BOUNDARY = "testboundary7d1f"


def body(
    files: list[tuple[str, bytes]], fields: dict[str, str] | None = None, boundary: str = BOUNDARY
) -> bytes:
    out = b""
    for name, value in (fields or {}).items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for filename, content in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


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


async def test_limits_say_which_was_crossed(tmp_path) -> None:
    three = body([("a.pdf", b"1"), ("b.pdf", b"2"), ("c.pdf", b"3")])
    with pytest.raises(TooLarge) as count:
        await received(three, 4096, tmp_path, max_files=2)
    assert count.value.what == "count"
    two = body([("a.pdf", os.urandom(600)), ("b.pdf", os.urandom(600))])
    with pytest.raises(TooLarge) as total:
        await receive(
            f"multipart/form-data; boundary={BOUNDARY}",
            chunks(two, 100),
            directory=tmp_path,
            max_file=1000,
            max_files=5,
            max_total=1000,
        )
    assert total.value.what == "total"
    with pytest.raises(TooLarge) as one:
        await received(
            body([("a.pdf", b"1"), ("b.pdf", os.urandom(5000))]), 7, tmp_path, max_file=4096
        )
    assert (one.value.what, one.value.index) == ("file", 1)
    assert list(tmp_path.iterdir()) == []


async def test_the_fingerprint_is_the_forms_not_the_boundarys(tmp_path) -> None:
    content = os.urandom(100_000)
    upload = await received(body([("a.pdf", content)], {"body": "Hallo"}), 4096, tmp_path)
    upload.discard()
    other = "anotherboundary"

    async def fingerprint(data: bytes) -> str:
        return await upload_stream.fingerprint(
            f"multipart/form-data; boundary={other}", chunks(data, 999), max_file=10**6, max_files=5
        )

    same = await fingerprint(body([("a.pdf", content)], {"body": "Hallo"}, other))
    changed = await fingerprint(body([("a.pdf", content + b"!")], {"body": "Hallo"}, other))
    assert same == upload.fingerprint() != changed
    assert list(tmp_path.iterdir()) == []  # the fingerprint stores nothing


async def test_base64_files_are_decoded_strictly_to_temporary_files(tmp_path) -> None:
    content = os.urandom(3000)
    upload = await base64_files.receive_base64(
        [("a.pdf", base64.b64encode(content).decode())],
        directory=tmp_path,
        max_file=4096,
        max_files=2,
    )
    [file] = upload.files
    assert file.path.read_bytes() == content and file.size == len(content)
    assert file.sha256 == hashlib.sha256(content).hexdigest()
    upload.discard()
    good = base64.b64encode(b"ok").decode()
    with pytest.raises(base64_files.BadEncoding) as bad:
        await base64_files.receive_base64(
            [("a.txt", good), ("b.txt", "kein base64!")],
            directory=tmp_path,
            max_file=99,
            max_files=2,
        )
    assert bad.value.index == 1
    with pytest.raises(TooLarge) as large:
        await base64_files.receive_base64(
            [("a.txt", base64.b64encode(os.urandom(200)).decode())],
            directory=tmp_path,
            max_file=100,
            max_files=2,
        )
    assert (large.value.what, large.value.index) == ("file", 0)
    assert list(tmp_path.iterdir()) == []
    for size in (0, 1, 2, 3, 1000, 1001):
        assert base64_files.decoded_size(base64.b64encode(b"x" * size).decode()) == size
