"""Rooms as a case store's credential sees them: one room, pages of rooms.

Every query is scoped to the client's authority; a room of another authority is
indistinguishable from a missing one (``NotFound``). Pages are ordered by
``(created_at, id)`` and continued with a keyset cursor: a room created while a
client pages through the list sorts after everything already seen, so nothing is
skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from rooms.kernel.access import access_room
from rooms.kernel.actors import MachineClient
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.records import RoomRecord
from rooms.kernel.tables import Participant, RequestItem, Room
from rooms.kernel.vocabulary import ParticipantRole, RequestItemState, RoomProgress, RoomStatus

APPLICANT_SIDE = [ParticipantRole.applicant.value, ParticipantRole.representative.value]
MAX_PAGE = 100


@dataclass(frozen=True)
class ApiParticipant:
    """An applicant-side participant of a room, as a case store's credential sees them."""

    role: str
    kind: str
    name: str


@dataclass(frozen=True)
class RoomView:
    room: RoomRecord
    participants: tuple[ApiParticipant, ...]
    open_requests: int


@dataclass(frozen=True)
class RoomFilter:
    case_ref: str | None = None
    status: str | None = None
    progress: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class RoomPage:
    rooms: list[RoomView]
    next_cursor: str | None


def encode_cursor(room: RoomRecord) -> str:
    raw = json.dumps({"t": room.created_at.isoformat(), "id": str(room.id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        created = datetime.fromisoformat(data["t"])
        if created.tzinfo is None:
            raise ValueError("naive timestamp")
        return created, UUID(data["id"])
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise Invalid({"cursor": "invalid"}) from None


async def _participants(room_ids: list[UUID]) -> dict[str, list[ApiParticipant]]:
    if not room_ids:
        return {}
    rows: list[dict[str, Any]] = (
        await Participant.select(
            Participant.room, Participant.role, Participant.kind, Participant.name
        )
        .where(
            Participant.room.is_in(room_ids)
            & Participant.role.is_in(APPLICANT_SIDE)
            & Participant.revoked_at.is_null()
        )
        .order_by(Participant.added_at)
    )
    found: dict[str, list[ApiParticipant]] = {}
    for row in rows:
        view = ApiParticipant(row["role"], row["kind"], row["name"])
        found.setdefault(str(row["room"]), []).append(view)
    return found


async def _open_requests(room_ids: list[UUID]) -> dict[str, int]:
    """Per room, its open document requests (``RequestView.open``) in one query."""
    if not room_ids:
        return {}
    missing = [RequestItemState.open.value, RequestItemState.rejected.value]
    rows: list[dict[str, Any]] = await RequestItem.select(
        RequestItem.request._.room.as_alias("room"), RequestItem.request
    ).where(
        RequestItem.request._.room.is_in(room_ids)
        & RequestItem.required.eq(True)
        & RequestItem.state.is_in(missing)
    )
    counts: dict[str, int] = {}
    for room, _ in {(str(r["room"]), str(r["request"])) for r in rows}:
        counts[room] = counts.get(room, 0) + 1
    return counts


async def _views(rooms: list[RoomRecord]) -> list[RoomView]:
    ids = [r.id for r in rooms]
    participants = await _participants(ids)
    open_requests = await _open_requests(ids)
    return [
        RoomView(
            room=room,
            participants=tuple(participants.get(str(room.id), ())),
            open_requests=open_requests.get(str(room.id), 0),
        )
        for room in rooms
    ]


async def room_for_client(client: MachineClient, room_id: UUID | str) -> RoomView:
    """One room of the client's authority, or ``NotFound``."""
    room = (await access_room(client, room_id, case_store=True)).room
    [view] = await _views([room])
    return view


def _validated(filters: RoomFilter) -> RoomFilter:
    if filters.status is not None and filters.status not in {s.value for s in RoomStatus}:
        raise Invalid({"status": "invalid"})
    if filters.progress is not None and filters.progress not in {p.value for p in RoomProgress}:
        raise Invalid({"progress": "invalid"})
    if filters.updated_since is not None and filters.updated_since.tzinfo is None:
        raise Invalid({"updated_since": "invalid"})
    return filters


async def rooms_for_client(
    client: MachineClient, filters: RoomFilter, *, cursor: str | None = None, limit: int = 50
) -> RoomPage:
    """A page of the authority's rooms, oldest first; ``NotFound`` for an unknown case_ref."""
    filters = _validated(filters)
    limit = max(1, min(limit, MAX_PAGE))
    where: Any = Room.authority == client.authority_id
    if filters.case_ref is not None:
        where &= Room.case_ref == filters.case_ref
    if filters.status is not None:
        where &= Room.status == filters.status
    if filters.progress is not None:
        where &= Room.progress == filters.progress
    if filters.updated_since is not None:
        where &= Room.last_activity_at >= filters.updated_since
    if cursor:
        created, last_id = decode_cursor(cursor)
        where &= (Room.created_at > created) | ((Room.created_at == created) & (Room.id > last_id))
    rows: list[dict[str, Any]] = (
        await Room.select(*Room.all_columns(), Room.authority.slug, Room.authority.name)
        .where(where)
        .order_by(Room.created_at, Room.id)
        .limit(limit + 1)
    )
    if filters.case_ref is not None and not rows and not cursor:
        raise NotFound()
    rooms = [RoomRecord.from_row(row) for row in rows[:limit]]
    next_cursor = encode_cursor(rooms[-1]) if len(rows) > limit else None
    return RoomPage(await _views(rooms), next_cursor)


__all__ = [
    "ApiParticipant",
    "RoomFilter",
    "RoomPage",
    "RoomView",
    "room_for_client",
    "rooms_for_client",
]
