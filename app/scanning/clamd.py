"""A small asyncio client for clamd (ClamAV's daemon), speaking INSTREAM.

Why our own: the available Python clamd clients (``clamd``, ``pyclamd`` on PyPI)
are unmaintained and blocking (plain sockets, no asyncio); the protocol subset we
need (PING, VERSION, INSTREAM) is a few dozen lines.

Protocol (``man clamd``): commands are sent in the ``z`` form (``zINSTREAM\\0``)
and answered with a NUL-terminated line. INSTREAM data follows as chunks, each
prefixed by its length as a 4-byte big-endian unsigned integer, and ends with a
zero-length chunk. clamd counts the data against its ``StreamMaxLength``; when a
chunk would exceed it, clamd answers ``INSTREAM size limit exceeded. ERROR`` at
once and closes the connection while we may still be sending.

That early answer is why this module uses the event loop's socket operations
(``loop.sock_sendall``/``loop.sock_recv``) rather than asyncio's stream
transports: a transport that fails to write closes itself and drops what it had
not read yet, so the early answer could be lost; a plain socket still returns
the answer already received after a failed send.

Fail closed: only ``stream: OK`` is clean. An ``ERROR`` answer (too large,
clamd trouble) raises ``ScanFailed``; no connection, a timeout, or a connection
closed before a complete answer raises ``ScannerUnavailable``. Neither is ever a
clean verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ClamdClient",
    "ClamdError",
    "ScanFailed",
    "ScannerUnavailable",
    "Verdict",
    "parse_scan_reply",
]

#: INSTREAM chunk size. clamd accepts any chunk that fits the remaining
#: StreamMaxLength; small chunks keep its per-connection buffer small.
DEFAULT_CHUNK_SIZE = 64 * 1024
_FILE_READ_SIZE = 1024 * 1024
_MAX_REPLY = 64 * 1024
_LIMITS_PREFIX = "Heuristics.Limits.Exceeded"
#: After a failed send: how long to wait for an answer clamd sent before closing.
_EARLY_REPLY_WAIT = 2.0


class ClamdError(Exception):
    """Base class: the scan produced no verdict. Never treat as clean."""


class ScannerUnavailable(ClamdError):
    """clamd could not be reached, timed out, or hung up without an answer."""


class ScanFailed(ClamdError):
    """clamd answered with an error (for example: stream over StreamMaxLength)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Verdict:
    """clamd's verdict on one stream."""

    clean: bool
    signature: str | None = None

    @property
    def limits_exceeded(self) -> bool:
        """Not scanned completely (size, recursion or file-count limit): not clean."""
        return self.signature is not None and self.signature.startswith(_LIMITS_PREFIX)


def parse_scan_reply(reply: str) -> Verdict:
    """Parse clamd's answer to INSTREAM (without the terminating NUL)."""
    reply = reply.strip()
    if reply.endswith("ERROR"):
        raise ScanFailed(reply.removesuffix("ERROR").strip() or reply)
    if reply == "stream: OK":
        return Verdict(clean=True, signature=None)
    body = reply.removeprefix("stream: ")
    if body != reply and body.endswith(" FOUND"):
        signature = body.removesuffix(" FOUND").strip()
        if signature:
            return Verdict(clean=False, signature=signature)
    raise ScanFailed(f"unexpected answer from clamd: {reply!r}")


@dataclass(frozen=True, slots=True)
class _Address:
    family: socket.AddressFamily
    path: str = ""  # AF_UNIX
    host: str = ""  # AF_INET or AF_INET6, by name resolution
    port: int = 0

    @classmethod
    def parse(cls, address: str) -> _Address:
        if address.startswith("unix:"):
            path = address.removeprefix("unix:")
            if path.startswith("//"):  # unix:///run/... as well as unix:/run/...
                path = path[2:]
            if not path:
                raise ValueError(f"clamd address without a socket path: {address!r}")
            return cls(socket.AF_UNIX, path=path)
        if address.startswith("tcp://"):
            hostport = address.removeprefix("tcp://").rstrip("/")
            host, sep, port = hostport.rpartition(":")
            host = host.strip("[]")  # tcp://[::1]:3310
            if not sep or not host or not port.isdigit():
                raise ValueError(f"clamd address needs host and port: {address!r}")
            return cls(socket.AF_INET, host=host, port=int(port))
        raise ValueError(f"clamd address must be unix:/path or tcp://host:port: {address!r}")


class ClamdClient:
    """clamd client; opens one connection per command.

    ``address`` is ``unix:/path/to/clamd.sock`` or ``tcp://host:port``.
    ``connect_timeout`` bounds connecting, ``io_timeout`` every send and the
    short commands, ``scan_timeout`` the wait for the verdict after the last
    chunk. ``max_stream_size``, when given (clamd's StreamMaxLength), stops a
    longer stream early with ``ScanFailed`` instead of sending it.
    """

    def __init__(
        self,
        address: str,
        *,
        connect_timeout: float = 5.0,
        io_timeout: float = 30.0,
        scan_timeout: float = 120.0,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_stream_size: int | None = None,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        if max_stream_size is not None:
            chunk_size = min(chunk_size, max_stream_size) or 1
        self.address = address
        self._address = _Address.parse(address)
        self.connect_timeout = connect_timeout
        self.io_timeout = io_timeout
        self.scan_timeout = scan_timeout
        self.chunk_size = chunk_size
        self.max_stream_size = max_stream_size

    def __repr__(self) -> str:
        return f"ClamdClient({self.address!r})"

    # -- commands -------------------------------------------------------------

    async def ping(self) -> bool:
        """True when clamd answers PONG; False when it is unreachable."""
        try:
            return await self._command("PING") == "PONG"
        except ClamdError:
            return False

    async def version(self) -> str:
        """clamd's version line, e.g. ``ClamAV 1.4.6/27000/...``."""
        return await self._command("VERSION")

    async def scan_file(self, path: Path) -> Verdict:
        """Scan a local file by streaming it (clamd may run elsewhere)."""
        handle = await asyncio.to_thread(Path(path).open, "rb")
        try:
            return await self.scan_stream(_read_file(handle, _FILE_READ_SIZE))
        finally:
            await asyncio.to_thread(handle.close)

    async def scan_bytes(self, data: bytes) -> Verdict:
        """Scan bytes held in memory."""
        return await self.scan_stream(_single(data))

    async def scan_stream(self, chunks: AsyncIterable[bytes]) -> Verdict:
        """Scan a stream of byte chunks (any sizes) with INSTREAM."""
        sock = await self._connect()
        try:
            reply = await self._instream(sock, chunks)
        finally:
            sock.close()
        return parse_scan_reply(reply)

    # -- protocol ---------------------------------------------------------------

    async def _command(self, name: str) -> str:
        sock = await self._connect()
        try:
            await self._send(sock, b"z" + name.encode("ascii") + b"\0")
            return await self._read_reply(sock, self.io_timeout)
        finally:
            sock.close()

    async def _instream(self, sock: socket.socket, chunks: AsyncIterable[bytes]) -> str:
        sent = 0
        try:
            await self._send(sock, b"zINSTREAM\0")
            async with contextlib.aclosing(_rechunk(chunks, self.chunk_size)) as pieces:
                async for piece in pieces:
                    sent += len(piece)
                    if self.max_stream_size is not None and sent > self.max_stream_size:
                        raise ScanFailed(
                            f"stream larger than StreamMaxLength ({self.max_stream_size} bytes)"
                        )
                    await self._send(sock, struct.pack(">I", len(piece)) + piece)
            await self._send(sock, struct.pack(">I", 0))
        except _SendFailed as failure:
            # clamd answers an oversize stream (or another error) at once and
            # hangs up while we are still sending: read what it said.
            try:
                return await self._read_reply(sock, _EARLY_REPLY_WAIT)
            except ScannerUnavailable:
                raise ScannerUnavailable(
                    f"clamd at {self.address} hung up after {sent} bytes: {failure.__cause__}"
                ) from failure.__cause__
        return await self._read_reply(sock, self.scan_timeout)

    async def _connect(self) -> socket.socket:
        address = self._address
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                if address.family == socket.AF_UNIX:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.setblocking(False)
                    try:
                        await loop.sock_connect(sock, address.path)
                    except BaseException:
                        sock.close()
                        raise
                    return sock
                return await self._connect_tcp(loop, address)
        except (OSError, TimeoutError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            raise ScannerUnavailable(f"clamd at {self.address} unreachable: {reason}") from exc

    @staticmethod
    async def _connect_tcp(loop: asyncio.AbstractEventLoop, address: _Address) -> socket.socket:
        infos = await loop.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
        if not infos:
            raise OSError(f"no address for {address.host}")
        error: OSError | None = None
        for family, type_, proto, _, sockaddr in infos:
            sock = socket.socket(family, type_, proto)
            sock.setblocking(False)
            try:
                await loop.sock_connect(sock, sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            except BaseException:
                sock.close()
                raise
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        assert error is not None
        raise error

    async def _send(self, sock: socket.socket, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.io_timeout):
                await loop.sock_sendall(sock, data)
        except (OSError, TimeoutError) as exc:
            raise _SendFailed() from exc

    async def _read_reply(self, sock: socket.socket, wait: float) -> str:
        """Read one NUL-terminated answer; anything less is no answer."""
        loop = asyncio.get_running_loop()
        reply = bytearray()
        try:
            async with asyncio.timeout(wait):
                while b"\0" not in reply:
                    data = await loop.sock_recv(sock, 4096)
                    if not data:
                        raise ScannerUnavailable(
                            f"clamd at {self.address} closed the connection without an answer"
                            + (f" (partial: {bytes(reply)!r})" if reply else "")
                        )
                    reply += data
                    if len(reply) > _MAX_REPLY:
                        raise ScanFailed("answer from clamd too long")
        except TimeoutError as exc:
            raise ScannerUnavailable(
                f"clamd at {self.address} did not answer within {wait:g} s"
            ) from exc
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.address}: {exc}") from exc
        answer, _, _ = bytes(reply).partition(b"\0")
        return answer.decode("utf-8", errors="replace").strip()


class _SendFailed(Exception):
    """Internal: a send failed; the cause is the OSError or TimeoutError."""


async def _rechunk(chunks: AsyncIterable[bytes], size: int) -> AsyncGenerator[bytes, None]:
    """Re-cut a stream into non-empty pieces of at most ``size`` bytes."""
    async for chunk in chunks:
        if 0 < len(chunk) <= size:
            yield bytes(chunk)
            continue
        view = memoryview(chunk)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])


async def _read_file(handle: BinaryIO, size: int) -> AsyncIterator[bytes]:
    while data := await asyncio.to_thread(handle.read, size):
        yield data


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data
