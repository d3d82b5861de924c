"""The events feed: case stores that pull instead of receiving webhooks.

The cursor is the outbox row's serial id (32-bit), and the feed never skips one: an
authority's events take their ids in commit order (on PostgreSQL each writer holds the
authority's outbox lock from its event to its commit, see ``rooms.outbound.outbox``). A
consumer may therefore always continue from the last cursor it processed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import Parameter

from app.api.problems import problems
from app.api.scopes import EVENTS
from rooms.kernel.actors import MachineClient
from rooms.outbound.outbox import feed

MAX_CURSOR = 2**31 - 1
"""The largest serial id: a larger ``after`` cannot name an event (and overflows the column)."""


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
    description=(
        "Pass the last `cursor` you processed as `after` (or `next` of the previous page)."
        " The feed has no gaps: an event whose transaction is still open holds back the"
        " events after it until it commits, so continuing from `next` never misses one."
        " Each event's `id` is stable and equals the `webhook-id` of its webhook."
        " The data carries ids and facts only; fetch details through the API."
    ),
    guards=[EVENTS],
    responses=problems(401, 403, 422),
)
async def events_feed(
    client: NamedDependency[MachineClient],
    after: Annotated[
        int, Parameter(ge=0, le=MAX_CURSOR, description="The last cursor you processed")
    ] = 0,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
) -> EventPage:
    found = await feed(client.authority_id, after=after, limit=limit)
    events = [EventOut(e.id, e.cursor, e.type, e.room_id, e.occurred_at, e.data) for e in found]
    return EventPage(events=events, next=events[-1].cursor if events else after)
