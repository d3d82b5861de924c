"""A redis-server of a test's own, on a spare port, that the test may stop and start.

Fault tests stop Redis; they must never stop the shared one.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.servers import free_port


class OwnRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        """Start (again, on the same port) and return once it answers PING."""
        executable = shutil.which("redis-server")
        assert executable, "redis-server is required for the fault tests"
        self.process = await asyncio.create_subprocess_exec(
            *[executable, "--port", str(self.port), "--bind", "127.0.0.1"],
            *["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=asyncio.subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        if await client.ping():
                            return
                    except (OSError, RedisError):
                        pass  # not listening yet
                    await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    def freeze(self) -> None:
        """Stop answering without closing a connection (a hung server, a lost network)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    async def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen one must hear SIGTERM
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 10)
            self.process = None
