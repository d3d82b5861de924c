"""The events feed: case stores that pull instead of receiving webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import Parameter

from app.api.problems import PROBLEM_RESPONSES
from rooms.clients import MachineClient
from rooms.outbox import feed


class EventOut(msgspec.Struct):
    id: UUID
    """Stable: the same event always has the same id (webhook-id when pushed)."""
    cursor: int
    type: str
    room_id: UUID | None
    occurred_at: datetime
    data: dict[str, Any]


class EventPage(msgspec.Struct):
    events: list[EventOut]
    next: int
    """Pass as ``after`` to get what follows (the same value when nothing new)."""


@get(
    "/events",
    summary="Events of this authority after a cursor, oldest first",
    responses={401: PROBLEM_RESPONSES[401]},
)
async def events_feed(
    client: NamedDependency[MachineClient],
    after: Annotated[int, Parameter(ge=0, description="The last cursor you processed")] = 0,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
) -> EventPage:
    found = await feed(client.authority_id, after=after, limit=limit)
    events = [EventOut(e.id, e.cursor, e.type, e.room_id, e.occurred_at, e.data) for e in found]
    return EventPage(events=events, next=events[-1].cursor if events else after)
