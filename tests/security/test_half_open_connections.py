"""Half-open connections against `antragsraum serve` itself, with few file handles.

A client that opens a connection and sends part of a request head, then nothing, holds
a file handle for as long as it likes: uvicorn has no timeout for the request head and
counts ``limit_concurrency`` only once a head is complete. The real command runs with
RLIMIT_NOFILE lowered to 256 and ``limit_concurrency`` 20, and 300 such connections are
opened; the portal must stay answerable without running out of file handles.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.served_command import COMMAND, command_env
from tests.servers import free_port

FILE_HANDLES = 256
LIMIT = 20
HALF_OPEN = 300
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _few_file_handles() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_HANDLES, FILE_HANDLES))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[bytes]]]:
    port = free_port()
    env = command_env(
        tmp_path,
        port,
        ANTRAGSRAUM_SERVER__LIMIT_CONCURRENCY=str(LIMIT),
        ANTRAGSRAUM_SERVER__HEADER_TIMEOUT_SECONDS="30",  # longer than the test
    )
    subprocess.run([COMMAND, "migrate"], env=env, check=True, capture_output=True)
    output = tmp_path / "serve.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [COMMAND, "serve"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=_few_file_handles,  # only setrlimit
        )
    try:
        yield port, output, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _until_healthy(base_url: str, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http, asyncio.timeout(seconds):
        while True:
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def test_half_open_connections_neither_exhaust_handles_nor_hang_healthz(served) -> None:
    port, output, process = served
    base_url = f"http://127.0.0.1:{port}"
    await _until_healthy(base_url, 30)  # a cold start on a busy machine

    writers = []
    for _ in range(HALF_OPEN):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(PARTIAL_HEAD)
        writers.append((reader, writer))  # a few bytes: no drain (a refused one resets)

    # While they hang, a fresh connection is answered at once: 503 while all slots are
    # held (uvicorn's own answer beyond limit_concurrency), never a hang.
    async with httpx.AsyncClient(base_url=base_url, timeout=3) as http:
        answer = await http.get("/healthz")
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "5"

    # The connections beyond the limit were answered 503 and closed by the server at
    # once (a reset where the partial head arrived after the close); the ones within it
    # are still held, up to the header timeout.
    async def held(reader: asyncio.StreamReader) -> bool:
        try:
            async with asyncio.timeout(0.5):
                await reader.read()
        except TimeoutError:
            return True
        except ConnectionError:
            pass
        return False

    still_held = sum(await asyncio.gather(*(held(reader) for reader, _ in writers)))
    print(f"{HALF_OPEN} half-open connections: {still_held} held, the rest refused at once")
    assert 0 < still_held <= LIMIT

    for _, writer in writers:
        writer.close()
    await _until_healthy(base_url, 5)
    assert process.poll() is None
    log = output.read_text(errors="replace")
    assert "Too many open files" not in log and "out of system resource" not in log, log
