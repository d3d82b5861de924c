"""A 200 MB API attachment as multipart grows the server's memory by less than 64 MB.

Measured as the resident set size of a real uvicorn server in a process of its own
(``tests/api/upload_server.py``), not with tracemalloc in this process: RSS counts
everything the server holds (the event loop's and uvicorn's buffers, the multipart
parser's, hashlib's, C allocations tracemalloc does not see), the upload goes through
uvicorn's real flow control over a socket (httpx's in-process ASGI transport hands
the app the body without any), and the client's own memory is not mixed in. The peak
(``VmHWM``) is reset after a warm-up upload through ``/proc/<pid>/clear_refs``, so the
growth is the peak during the big upload over the resident size just before it.
Linux only (``/proc``). The upload carries an ``Idempotency-Key``: the router's
middleware must not buffer a multipart body either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024
SIZE = 200 * MiB
LIMIT = 64 * MiB
PDF_HEADER = b"%PDF-1.4\n1 0 obj<<>>endobj\n"  # what rooms.files.filetypes accepts as a PDF
BOUNDARY = "memoryboundary0123456789"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


def status(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` value in bytes (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def form(size: int) -> tuple[Iterator[bytes], int]:
    """A multipart message with one PDF of ``size`` bytes, generated as it is sent."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\nGroßer Plan\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="plan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + PDF_HEADER
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    padding = b"0" * MiB

    def chunks() -> Iterator[bytes]:
        yield head
        left = size - len(PDF_HEADER)
        while left > 0:
            piece = padding[: min(left, MiB)]
            left -= len(piece)
            yield piece
        yield tail

    return chunks(), len(head) + size - len(PDF_HEADER) + len(tail)


def post(api: httpx.Client, room_id: str, size: int, key: str) -> httpx.Response:
    body, length = form(size)
    return api.post(
        f"/api/v1/rooms/{room_id}/messages",
        content=body,
        headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            "content-length": str(length),
            "idempotency-key": key,
        },
    )


@pytest.mark.timeout(120)
def test_a_200_mb_multipart_attachment_grows_the_server_by_less_than_64_mb(tmp_path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.api.upload_server", str(tmp_path), str(port), "256"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        ready = json.loads(server.stdout.readline())
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.05)
        with httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {ready['token']}"},
            timeout=httpx.Timeout(120.0, connect=10.0),
        ) as api:
            warm = post(api, ready["room_id"], 4 * MiB, "warm-up")
            assert warm.status_code == 201, warm.text
            before = status(server.pid, "VmRSS")
            if not reset_peak(server.pid):
                before = status(server.pid, "VmHWM")  # a weaker bound: the peak so far
            started = time.monotonic()
            response = post(api, ready["room_id"], SIZE, "big")
            seconds = time.monotonic() - started
            assert response.status_code == 201, response.text
            [file] = response.json()["attachments"]
            assert file["size"] == SIZE and file["mime"] == "application/pdf"
            growth = status(server.pid, "VmHWM") - before
        print(f"\n200 MiB multipart upload: {seconds:.1f} s, server RSS +{growth / MiB:.1f} MiB")
        assert growth < LIMIT, f"the server grew by {growth / MiB:.1f} MiB"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
