"""A resolver the tests script: the running loop's ``getaddrinfo`` answers per name.

Both the worker's check and httpx's connect (through anyio) ask the running loop, so
a scripted name answers each in turn: ``[["192.0.2.1"], ["127.0.0.2"]]`` gives the
first address to the first question and the second to every later one (DNS
rebinding); an ``OSError`` in the script is raised (a name that does not resolve).
Names not in the script go to the real resolver.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

Answer = list[str] | OSError


class ScriptedResolver:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Answer]] = {}
        self.asked: list[str] = []

    def answer(self, name: str, *answers: Answer) -> None:
        self.scripts[name] = list(answers)

    def next_answer(self, name: str) -> Answer | None:
        script = self.scripts.get(name)
        if not script:
            return None
        self.asked.append(name)
        return script.pop(0) if len(script) > 1 else script[0]


@contextmanager
def scripted_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedResolver]:
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    resolver = ScriptedResolver()

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        answer = resolver.next_answer(name)
        if answer is None:
            return await real(host, port, *args, **kwargs)
        if isinstance(answer, OSError):
            raise answer
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, int(port)))
            for a in answer
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    yield resolver
