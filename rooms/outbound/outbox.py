"""What happened, recorded once: the outbox row for case stores, the nudge after commit.

Every action records its facts with :func:`do_record` (the catalogue is
``rooms.kernel.events``). A fact with an outbox ``TYPE`` becomes one outbox row in
the change's transaction; every fact is announced to the live channel and the
scanner after commit (``rooms.kernel.events.announce``).

No event without its change (the row rolls back with it), no change without its
event (every ``do_*`` that changes state calls :func:`do_record`). A delivery
worker and the events feed read the rows; the data carries ids and facts only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from rooms.kernel.db import in_write_transaction
from rooms.kernel.events import EVENT_TYPES, Happened, announce
from rooms.kernel.tables import OutboxEvent
from rooms.outbound.notify.planning import do_plan_notifications
from rooms.outbound.webhooks.deliveries import do_plan_deliveries


@dataclass(frozen=True)
class FeedEvent:
    cursor: int
    id: UUID
    type: str
    room_id: UUID | None
    occurred_at: datetime
    data: dict[str, Any]


async def _one_writer_per_authority(authority_id: UUID) -> None:
    """Hold the authority's outbox lock until this transaction ends (PostgreSQL).

    Serial ids are taken at insert time but become visible at commit: without the
    lock, a transaction could take id 5, another take id 6 and commit first, and a
    feed reader would move past 5 before it appears. With it, the next event of the
    same authority waits until this transaction has committed, so ids within an
    authority (the feed's scope) are visible in order. Only writers of one
    authority's events wait for each other, and only from their event to their
    commit. SQLite has one writer at a time anyway (IMMEDIATE transactions).
    """
    if isinstance(OutboxEvent._meta.db, PostgresEngine):
        await OutboxEvent.raw(
            "SELECT pg_advisory_xact_lock(hashtextextended({}, 7))", str(authority_id)
        )


async def _write_outbox_row(
    event_type: str, *, authority_id: UUID, room_id: UUID | None, data: dict[str, Any]
) -> UUID:
    """Record the event and what it sets off (webhook deliveries, notifications).

    Call inside the transaction of the change. Returns the event's stable id.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event_id = uuid.uuid4()
    await _one_writer_per_authority(authority_id)
    rows: list[dict[str, Any]] = await OutboxEvent.insert(
        OutboxEvent(
            event_id=event_id,
            authority=authority_id,
            room=room_id,
            type=event_type,
            data=data,
        )
    ).returning(OutboxEvent.id)
    await do_plan_deliveries(
        int(rows[0]["id"]), event_type=event_type, authority_id=authority_id, room_id=room_id
    )
    await do_plan_notifications(
        event_id, event_type=event_type, authority_id=authority_id, room_id=room_id, data=data
    )
    return event_id


async def do_record(fact: Happened) -> UUID | None:
    """Record what happened, once: its outbox row (if case stores hear of it), its nudge.

    Call inside the change's transaction (anything else is refused before a row is
    written). Returns the outbox event's stable id.
    """
    if not in_write_transaction():
        raise RuntimeError("do_record() outside write_transaction()")
    event_id = None
    if fact.TYPE is not None:
        event_id = await _write_outbox_row(
            fact.TYPE, authority_id=fact.authority_id, room_id=fact.room_id, data=fact.data()
        )
    announce(fact)
    return event_id


async def feed(authority_id: UUID, *, after: int = 0, limit: int = 100) -> list[FeedEvent]:
    """The authority's events after the cursor ``after``, oldest first, without gaps.

    The cursor is the serial id. Ids of one authority's events are taken in commit
    order (``_one_writer_per_authority``), so a consumer that moved past an id can
    never miss a lower one committed later.
    """
    where = (OutboxEvent.authority == authority_id) & (OutboxEvent.id > after)
    rows: list[dict[str, Any]] = (
        await OutboxEvent.select()
        .where(where)
        .order_by(OutboxEvent.id)
        .limit(max(1, min(limit, 500)))
        .output(load_json=True)
    )
    return [
        FeedEvent(
            cursor=int(r["id"]),
            id=UUID(str(r["event_id"])),
            type=r["type"],
            room_id=UUID(str(r["room"])) if r["room"] else None,
            occurred_at=r["occurred_at"],
            data=dict(r["data"]),
        )
        for r in rows
    ]
