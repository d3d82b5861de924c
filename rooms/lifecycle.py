"""A room's way through the application: progress (as the applicant sees it) and closing.

Caseworkers change it in the room; case stores through the API. A closed room is
read-only for everyone (the gates refuse writes), and stays readable for its
participants: the applicant still needs the decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from rooms import audit
from rooms.access import access_room_for_client_writing, access_room_for_writing
from rooms.actors import Actor
from rooms.clients import MachineClient
from rooms.db import write_transaction
from rooms.errors import Invalid, NotAllowed
from rooms.events import Event, RoomChanged
from rooms.outbox import do_record_event
from rooms.records import RoomRecord
from rooms.tables import Room, RoomProgress, RoomStatus, Side


def parse_progress(value: str) -> RoomProgress:
    try:
        return RoomProgress(value)
    except ValueError:
        raise Invalid({"progress": "invalid"}) from None


async def do_set_progress(
    room: RoomRecord, progress: RoomProgress, *, actor: Actor | None, machine: str | None
) -> list[Event]:
    if room.progress == progress.value:
        return []
    await Room.update({Room.progress: progress.value}).where(Room.id == room.id)
    await do_record_event(
        "room.status_changed",
        authority_id=room.authority_id,
        room_id=room.id,
        data={"progress": progress.value},
    )
    await audit.record(
        "room_progress_changed",
        actor=actor,
        machine=machine,
        room_id=room.id,
        authority_id=room.authority_id,
        detail={"progress": progress.value},
    )
    return [RoomChanged(room_id=room.id)]


async def do_close_room(
    room: RoomRecord, *, actor: Actor | None, machine: str | None
) -> list[Event]:
    now = datetime.now(UTC)
    await Room.update({Room.status: RoomStatus.closed.value, Room.closed_at: now}).where(
        Room.id == room.id
    )
    await do_record_event(
        "room.closed",
        authority_id=room.authority_id,
        room_id=room.id,
        data={"closed_at": now.isoformat()},
    )
    await audit.record(
        "room_closed", actor=actor, machine=machine, room_id=room.id, authority_id=room.authority_id
    )
    return [RoomChanged(room_id=room.id)]


async def _staff_room(actor: Actor | None, room_id: UUID | str) -> RoomRecord:
    access = await access_room_for_writing(actor, room_id)
    if access.side is not Side.authority:
        raise NotAllowed()
    return access.room


async def check_set_progress(actor: Actor | None, room_id: UUID | str, value: str) -> list[Event]:
    progress = parse_progress(value)
    async with write_transaction():
        room = await _staff_room(actor, room_id)
        return await do_set_progress(room, progress, actor=actor, machine=None)


async def check_close_room(actor: Actor | None, room_id: UUID | str) -> list[Event]:
    async with write_transaction():
        room = await _staff_room(actor, room_id)
        return await do_close_room(room, actor=actor, machine=None)


async def check_set_progress_by_client(
    client: MachineClient, room_id: UUID | str, value: str
) -> list[Event]:
    progress = parse_progress(value)
    async with write_transaction():
        room = await access_room_for_client_writing(client, room_id)
        return await do_set_progress(room, progress, actor=None, machine=client.audit_name)


async def check_close_room_by_client(client: MachineClient, room_id: UUID | str) -> list[Event]:
    async with write_transaction():
        room = await access_room_for_client_writing(client, room_id)
        return await do_close_room(room, actor=None, machine=client.audit_name)
