"""Concurrent API POSTs with Idempotency-Key on SQLite wait for the write lock, never 500.

The idempotency records are written through ``write_transaction()`` (IMMEDIATE on
SQLite): a writer waits its turn within the busy timeout instead of meeting
``database is locked``. Two requests share each key, with the same body: the second
is a replay or "in flight" (409), never an error of ours.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from rooms.kernel.tables import IdempotencyRecord, Message, Room
from tests import builders
from tests.cast import ERIKA

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.only_on("sqlite")]

KEYS = 40


def intake(n: int) -> dict[str, object]:
    return {
        "case_ref": f"VG-C-{n}",
        "title": "Antrag auf Wohngeld",
        "applicant": {"subject": f"s-{n}", "kind": "person", "name": "Erika Mustermann"},
        "message": {"body": "Willkommen"},
    }


async def test_concurrent_keyed_posts_on_sqlite_never_answer_500(server) -> None:
    room = (await builders.room(ERIKA)).room.id
    _, token = await builders.client("demo-stadt")
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=4 * KEYS)) as http:

        async def post(n: int) -> int:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"c-{n}"}
            if n % 2:
                url, body = f"{server}/api/v1/rooms", intake(n)
            else:
                url, body = f"{server}/api/v1/rooms/{room}/messages", {"body": f"Nachricht {n}"}
            response = await http.post(url, json=body, headers=headers)
            return response.status_code

        statuses = Counter(await asyncio.gather(*(post(n % KEYS) for n in range(2 * KEYS))))
    assert set(statuses) <= {200, 201, 409}, statuses
    assert await Room.count() == 1 + KEYS // 2
    assert await Message.count() == 1 + KEYS  # the builder's, one per intake, one per message
    assert await IdempotencyRecord.count() == KEYS
