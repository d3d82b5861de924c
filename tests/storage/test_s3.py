"""The S3 backend beyond the contract: multipart, metadata, prefix, encryption."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.storage.s3 import UPLOAD_PART_SIZE, S3Storage
from tests.storage.conftest import BUCKET, REGION, BigFile, Moto


async def test_large_files_go_up_in_parts(moto: Moto, big_file: BigFile) -> None:
    storage = moto.storage(prefix="multipart")
    await storage.put_file("rooms/r1/big", big_file.path, "application/pdf")
    head = moto.client.head_object(Bucket=BUCKET, Key="multipart/rooms/r1/big")
    parts = -(-big_file.size // UPLOAD_PART_SIZE)
    assert head["ETag"].strip('"').endswith(f"-{parts}")
    assert head["ContentLength"] == big_file.size
    assert head["ContentType"] == "application/pdf"


async def test_small_files_go_up_in_one_put(moto: Moto, tmp_path: Path) -> None:
    storage = moto.storage(prefix="single")
    source = tmp_path / "s.tmp"
    source.write_bytes(b"\x89PNG\r\n")
    await storage.put_file("rooms/r1/small", source, "image/png")
    head = moto.client.head_object(Bucket=BUCKET, Key="single/rooms/r1/small")
    assert "-" not in head["ETag"]
    assert head["ContentType"] == "image/png"


async def test_keys_live_under_the_prefix(moto: Moto, tmp_path: Path) -> None:
    source = tmp_path / "s.tmp"
    source.write_bytes(b"x")
    await moto.storage(prefix="/tenant-a/").put_file("rooms/r/f", source, "text/plain")
    listed = moto.client.list_objects_v2(Bucket=BUCKET, Prefix="tenant-a/")
    assert [o["Key"] for o in listed["Contents"]] == ["tenant-a/rooms/r/f"]
    assert not await moto.storage(prefix="tenant-b").exists("rooms/r/f")


async def test_server_side_encryption(moto: Moto, tmp_path: Path) -> None:
    source = tmp_path / "s.tmp"
    source.write_bytes(b"confidential")
    storage = moto.storage(prefix="sse", server_side_encryption="AES256")
    await storage.put_file("rooms/r1/f", source, "text/plain")
    head = moto.client.head_object(Bucket=BUCKET, Key="sse/rooms/r1/f")
    assert head["ServerSideEncryption"] == "AES256"
    assert b"".join([c async for c in await storage.open("rooms/r1/f")]) == b"confidential"

    plain = moto.storage(prefix="plain")
    await plain.put_file("rooms/r1/f", source, "text/plain")
    head = moto.client.head_object(Bucket=BUCKET, Key="plain/rooms/r1/f")
    assert head.get("ServerSideEncryption") in (None, "AES256")  # the bucket's default


def test_bad_configuration_is_refused() -> None:
    def make(**kwargs: str) -> S3Storage:
        args = {
            "endpoint_url": "http://127.0.0.1:1",
            "bucket": BUCKET,
            "region": REGION,
            "access_key": "a",
            "secret_key": "b",
        }
        return S3Storage(**{**args, **kwargs})  # type: ignore[arg-type]

    with pytest.raises(ValueError):
        make(bucket="")
    with pytest.raises(ValueError):
        make(prefix="../up")
    with pytest.raises(ValueError):
        make(sse_kms_key_id="key-1")
    assert make(prefix="ok/").prefix == "ok"
