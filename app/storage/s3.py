"""Attachments in an S3-compatible object store: for several instances, at scale.

Library: ``obstore`` (pinned in pyproject.toml), the Python binding of the Rust
``object_store`` crate that Apache Arrow maintains. It was chosen over ``aiobotocore``
because it has a native async API (no thread pool, no aiohttp/botocore version lock-step
that aiobotocore pins tightly), uploads a local file as a multipart upload that it reads
in bounded parts, streams downloads in bounded chunks, ships typed stubs, and comes as
one abi3 wheel (cp311+) with no further dependencies. It talks to AWS S3 as well as to
MinIO, Ceph RGW, Garage and the other S3-compatible stores.

Memory stays bounded: an upload holds at most ``UPLOAD_CONCURRENCY`` parts of
``UPLOAD_PART_SIZE`` at a time, a download at most about ``DOWNLOAD_CHUNK_SIZE``.
Server-side encryption (SSE-S3 or SSE-KMS) is optional and applies to every put.
obstore reports a missing object as the built-in ``FileNotFoundError``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import obstore
from obstore.store import S3Store

from app.storage.base import Listed, NotStored, check_key, is_key

if TYPE_CHECKING:
    from obstore import BytesStream
    from obstore.store import S3Config

UPLOAD_PART_SIZE = 8 * 1024 * 1024
"""Multipart part size; S3 needs at least 5 MiB for every part but the last."""
UPLOAD_CONCURRENCY = 4
DOWNLOAD_CHUNK_SIZE = 256 * 1024

Encryption = Literal["", "AES256", "aws:kms", "aws:kms:dsse"]


class S3Storage:
    """The S3 backend of ``Storage``.

    ``endpoint_url`` empty means AWS itself; an ``http://`` endpoint is allowed (for a
    store on the same host or in tests). Empty credentials fall back to the usual AWS
    environment variables and instance metadata. ``prefix`` is prepended to every key.
    ``server_side_encryption`` asks the store to encrypt each object ("AES256" or
    "aws:kms*", the latter optionally with ``sse_kms_key_id``).
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        prefix: str = "",
        *,
        server_side_encryption: Encryption = "",
        sse_kms_key_id: str = "",
        timeout: str = "30m",
    ) -> None:
        if not bucket:
            raise ValueError("S3 storage needs a bucket")
        prefix = prefix.strip("/")
        if prefix:
            check_key(prefix)
        if sse_kms_key_id and not server_side_encryption.startswith("aws:kms"):
            raise ValueError('sse_kms_key_id needs server_side_encryption "aws:kms…"')
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        config: S3Config = {"region": region, "virtual_hosted_style_request": False}
        if endpoint_url:
            config["endpoint"] = endpoint_url
        if access_key or secret_key:
            config["access_key_id"] = access_key
            config["secret_access_key"] = secret_key
        if server_side_encryption:
            config["server_side_encryption"] = server_side_encryption
        if sse_kms_key_id:
            config["sse_kms_key_id"] = sse_kms_key_id
        self._store = S3Store(
            bucket,
            prefix=prefix or None,
            config=config,
            client_options={
                "allow_http": endpoint_url.startswith("http://"),
                "connect_timeout": "10s",
                # The whole request, a download included: generous for slow readers.
                "timeout": timeout,
            },
        )

    def __repr__(self) -> str:
        where = self.endpoint_url or "aws"
        return f"S3Storage({where!r}, bucket={self.bucket!r}, prefix={self.prefix!r})"

    async def adopt_file(self, key: str, path: Path, content_type: str) -> None:
        await self.put_file(key, path, content_type)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        check_key(key)
        # Given a Path, obstore reads the file part by part: a multipart upload when it
        # is larger than one part (aborted on failure), else one PUT; atomic either way.
        await obstore.put_async(
            self._store,
            key,
            Path(path),
            attributes={"Content-Type": content_type},
            use_multipart=None,
            chunk_size=UPLOAD_PART_SIZE,
            max_concurrency=UPLOAD_CONCURRENCY,
        )

    async def open(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            result = await obstore.get_async(self._store, key)
        except FileNotFoundError:
            raise NotStored(key) from None
        return _chunks(result.stream(min_chunk_size=DOWNLOAD_CHUNK_SIZE))

    async def delete(self, key: str) -> None:
        check_key(key)
        # S3 itself answers 204 for a missing key; some compatible stores say 404.
        with contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self._store, key)

    async def exists(self, key: str) -> bool:
        check_key(key)
        try:
            await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return False
        return True

    async def size(self, key: str) -> int:
        check_key(key)
        try:
            meta = await obstore.head_async(self._store, key)
        except FileNotFoundError:
            raise NotStored(key) from None
        return int(meta["size"])

    async def listing(self, prefix: str) -> AsyncIterator[Listed]:
        check_key(prefix)
        async for page in obstore.list(self._store, prefix=prefix + "/", chunk_size=500):
            for meta in page:
                if is_key(meta["path"]):
                    yield Listed(meta["path"], meta["last_modified"])


async def _chunks(stream: BytesStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk
