"""Storage fixtures: every contract test runs on the filesystem and on S3 (moto).

The S3 backend is tested against moto's server, started here on a free loopback port.
It is required, not optional: when it cannot start, the tests fail.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.storage import FileStorage, Storage
from app.storage.s3 import S3Storage
from tests.servers import free_port

REGION = "eu-central-1"
BUCKET = "antragsraum-test"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


class Moto:
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def storage(self, prefix: str | None = None, **kwargs: Any) -> S3Storage:
        return S3Storage(
            endpoint_url=self.endpoint_url,
            bucket=BUCKET,
            region=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            prefix=f"t-{uuid.uuid4().hex}" if prefix is None else prefix,
            **kwargs,
        )


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    # start() waits for a "ready" event that a failing bind never sets: start it in a
    # thread of ours and give up as soon as the server's own thread has died.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    deadline = time.monotonic() + 20
    while starter.is_alive() and time.monotonic() < deadline:
        worker = server._thread
        if worker is not None and worker.ident is not None and not worker.is_alive():
            break
        starter.join(timeout=0.05)
    if starter.is_alive() or server._server is None:
        pytest.fail(f"moto's S3 server did not start on 127.0.0.1:{port}")
    try:
        moto = Moto(f"http://127.0.0.1:{port}")
        try:
            moto.client.create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        except Exception as exc:
            pytest.fail(f"moto's S3 server on 127.0.0.1:{port} does not answer: {exc}")
        yield moto
    finally:
        server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A fresh, empty store of each backend."""
    if request.param == "filesystem":
        return FileStorage(tmp_path / "files")
    moto: Moto = request.getfixturevalue("moto")
    return moto.storage()


class BigFile:
    def __init__(self, path: Path, size: int, sha256: str) -> None:
        self.path, self.size, self.sha256 = path, size, sha256


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> BigFile:
    """A 30 MB temporary file of random bytes, written in 1 MiB chunks."""
    path = tmp_path_factory.mktemp("big") / "upload.tmp"
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as fh:
        for _ in range(30):
            chunk = os.urandom(1024 * 1024)
            digest.update(chunk)
            fh.write(chunk)
            size += len(chunk)
    return BigFile(path, size, digest.hexdigest())
