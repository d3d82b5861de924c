"""The events feed has no gaps: ids of one authority become visible in order."""

from __future__ import annotations

import asyncio

import pytest

from rooms.kernel.authorities import find_authority
from rooms.kernel.db import write_transaction
from rooms.kernel.events import ProgressChanged
from rooms.kernel.tables import OutboxEvent, Room
from rooms.outbound.outbox import do_record, feed
from tests import builders
from tests.cast import ERIKA


async def record(authority, room_id, progress: str) -> None:  # type: ignore[no-untyped-def]
    """Record a fact with an outbox type; call inside ``write_transaction``."""
    await do_record(ProgressChanged(room_id, authority, progress=progress))


async def waiting_for_the_outbox_lock() -> int:
    rows = await OutboxEvent.raw(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    )
    return int(rows[0]["n"])


@pytest.mark.only_on("postgres")  # SQLite has one writer at a time: ids commit in order
async def test_ids_become_visible_in_order_within_an_authority(http, database) -> None:
    """A transaction that wrote first but records its event second gets the higher id.

    Without the authority's outbox lock, the second transaction below would take a
    higher id and commit while the first still holds a lower one: a feed reader
    would move past the lower id before it became visible, and never see it.
    """
    _, token = await builders.client()
    headers = {"Authorization": f"Bearer {token}"}
    authority = await find_authority("demo-stadt")
    result = await builders.room(ERIKA, message=None)
    other = await builders.room(ERIKA, authority_slug="demo-kreis", message=None)
    kreis = await find_authority("demo-kreis")
    [start] = await feed(authority, after=0)
    inserted, release, wrote = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with write_transaction():
            await record(authority, result.room.id, "in_progress")
            inserted.set()
            await release.wait()

    async def second() -> None:
        async with write_transaction():
            await Room.update({Room.title: "geändert"}).where(Room.id == result.room.id)
            wrote.set()
            await inserted.wait()
            await record(authority, result.room.id, "waiting")  # waits for the first

    later = asyncio.create_task(second())
    await wrote.wait()
    earlier = asyncio.create_task(first())
    try:
        await inserted.wait()
        for _ in range(200):  # until the second transaction queues for the lock
            if await waiting_for_the_outbox_lock():
                break
            await asyncio.sleep(0.01)
        assert await waiting_for_the_outbox_lock() == 1
        assert not later.done()
        # Another authority's events do not wait.
        async with write_transaction():
            await record(kreis, other.room.id, "in_progress")
        assert [e.type for e in await feed(kreis, after=0)][-1] == "room.status_changed"
        assert await feed(authority, after=start.cursor) == []
    finally:
        release.set()
        await asyncio.gather(earlier, later)
    both = await feed(authority, after=start.cursor)
    assert [e.data["progress"] for e in both] == ["in_progress", "waiting"]
    assert both[0].cursor < both[1].cursor
    page = await http.get("/api/v1/events", params={"after": start.cursor}, headers=headers)
    assert [e["data"]["progress"] for e in page.json()["events"]] == ["in_progress", "waiting"]


async def test_events_are_in_the_feed_once_committed(database) -> None:
    """Both databases: a committed event is in the feed at once."""
    authority = await find_authority(await builders.authority())
    result = await builders.room(ERIKA, message=None)
    async with write_transaction():
        await record(authority, result.room.id, "in_progress")
    found = await feed(authority, after=0)
    assert [e.type for e in found] == ["room.created", "room.status_changed"]
    assert found[1].data == {"progress": "in_progress"} and found[1].room_id == result.room.id
