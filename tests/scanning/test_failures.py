"""clamd down, gone mid-stream, or misbehaving: never a clean verdict."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from app.scanning import ClamdClient, ScanFailed, ScannerUnavailable
from tests.scanning.conftest import CLAMD_CONF, eicar
from tests.servers import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def fake_clamd(handler: Handler) -> AsyncIterator[str]:
    """A TCP server on a free loopback port playing a broken clamd."""

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"tcp://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def read_instream(reader: asyncio.StreamReader) -> int:
    """Consume one whole INSTREAM request; return the number of data bytes."""
    assert await reader.readuntil(b"\0") == b"zINSTREAM\0"
    total = 0
    while size := int.from_bytes(await reader.readexactly(4), "big"):
        await reader.readexactly(size)
        total += size
    return total


async def many_chunks(count: int = 200) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"A" * 65536


async def test_nothing_listening_on_tcp() -> None:
    client = ClamdClient(f"tcp://127.0.0.1:{free_port()}", connect_timeout=2)
    assert await client.ping() is False
    with pytest.raises(ScannerUnavailable):
        await client.scan_bytes(eicar())
    with pytest.raises(ScannerUnavailable):
        await client.version()


async def test_nothing_listening_on_unix_socket(tmp_path: Path) -> None:
    client = ClamdClient(f"unix:{tmp_path}/missing.sock", connect_timeout=2)
    assert await client.ping() is False
    with pytest.raises(ScannerUnavailable):
        await client.scan_bytes(b"%PDF-1.7")


async def test_hang_up_mid_stream() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\0")
        await reader.readexactly(10_000)
        # closes with unread data: the client gets a reset

    async with fake_clamd(handler) as address:
        with pytest.raises(ScannerUnavailable):
            await ClamdClient(address, io_timeout=5).scan_stream(many_chunks())


async def test_hang_up_after_the_stream_without_an_answer() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_instream(reader)

    async with fake_clamd(handler) as address:
        with pytest.raises(ScannerUnavailable):
            await ClamdClient(address).scan_bytes(b"%PDF-1.7")


async def test_truncated_ok_is_not_clean() -> None:
    """'stream: OK' without its terminator could be the start of 'stream: OKx FOUND'."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_instream(reader)
        writer.write(b"stream: OK")
        await writer.drain()

    async with fake_clamd(handler) as address:
        with pytest.raises(ScannerUnavailable):
            await ClamdClient(address).scan_bytes(b"%PDF-1.7")


async def test_no_answer_times_out() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_instream(reader)
        await asyncio.sleep(30)

    async with fake_clamd(handler) as address:
        client = ClamdClient(address, scan_timeout=0.3)
        with pytest.raises(ScannerUnavailable, match="did not answer"):
            await client.scan_bytes(b"%PDF-1.7")


async def test_early_error_answer_is_read_although_sending_fails() -> None:
    """Like clamd over StreamMaxLength: answer ERROR at once, then hang up."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\0")
        await reader.readexactly(4 + 65536)
        writer.write(b"INSTREAM size limit exceeded. ERROR\0")
        await writer.drain()

    async with fake_clamd(handler) as address:
        with pytest.raises(ScanFailed, match="size limit exceeded"):
            await ClamdClient(address, io_timeout=5).scan_stream(many_chunks())


async def test_garbage_answer_fails() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_instream(reader)
        writer.write(b"UNKNOWN COMMAND\0")
        await writer.drain()

    async with fake_clamd(handler) as address:
        with pytest.raises(ScanFailed):
            await ClamdClient(address).scan_bytes(b"%PDF-1.7")


# -- a second, real clamd of our own, stopped mid-stream ---------------------------


def clamd_binary() -> str:
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.access(binary, os.X_OK):
        pytest.fail("clamd is not installed: run `make clamd` (as root)")
    return binary


def write_config(workdir: str, port: int) -> Path:
    """The development configuration, in the foreground on a TCP port instead."""
    replaced = {"LocalSocket", "LocalSocketMode", "PidFile", "LogFile", "Foreground", "User"}
    lines = [
        line
        for line in CLAMD_CONF.read_text().splitlines()
        if not line.split() or line.split()[0] not in replaced
    ]
    lines += [
        f"TCPSocket {port}",
        "TCPAddr 127.0.0.1",
        "Foreground yes",
        f"LogFile {workdir}/clamd.log",
        f"PidFile {workdir}/clamd.pid",
    ]
    conf = Path(workdir) / "clamd.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def read_log(workdir: str) -> str:
    log = Path(workdir) / "clamd.log"
    return log.read_text()[-2000:] if log.exists() else "no log"


@pytest.fixture
async def own_clamd() -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """A second clamd with the development database; the test may kill it."""
    with tempfile.TemporaryDirectory(prefix="clamd-") as workdir:
        port = free_port()
        conf = write_config(workdir, port)
        process = await asyncio.create_subprocess_exec(
            clamd_binary(),
            f"--config-file={conf}",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        address = f"tcp://127.0.0.1:{port}"
        try:
            client = ClamdClient(address, connect_timeout=1)
            for _ in range(150):
                if process.returncode is not None or await client.ping():
                    break
                await asyncio.sleep(0.1)
            if not await client.ping():
                pytest.fail(f"second clamd did not start: {read_log(workdir)}")
            yield address, process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def test_clamd_stopped_mid_stream(own_clamd: tuple[str, asyncio.subprocess.Process]) -> None:
    address, process = own_clamd
    client = ClamdClient(address, io_timeout=5, scan_timeout=5)
    # It works over TCP before it goes away.
    verdict = await client.scan_bytes(eicar())
    assert verdict.clean is False and verdict.signature

    async def chunks() -> AsyncIterator[bytes]:
        yield b"%PDF-1.7\n" + b"A" * 65536
        process.kill()
        await process.wait()
        async for chunk in many_chunks():
            yield chunk

    with pytest.raises(ScannerUnavailable):
        await client.scan_stream(chunks())
    assert await client.ping() is False


async def test_over_stream_max_length_over_tcp(
    own_clamd: tuple[str, asyncio.subprocess.Process],
) -> None:
    """The early ERROR answer survives clamd's hang-up over TCP too (reset)."""
    address, _ = own_clamd
    block = b"\0" * (1024 * 1024)

    async def oversized() -> AsyncIterator[bytes]:
        for _ in range(31):
            yield block

    with pytest.raises(ScanFailed, match="size limit exceeded"):
        await ClamdClient(address, io_timeout=5).scan_stream(oversized())
