"""A room's way through the application: progress (as the applicant sees it) and closing.

Caseworkers change it in the room; case stores through the API. A closed room is
read-only for everyone (the gates refuse writes), and stays readable for its
participants: the applicant still needs the decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from rooms.casework.notes import staff_access
from rooms.kernel import audit
from rooms.kernel.access import access_room_for_client_writing
from rooms.kernel.actors import Actor, MachineClient
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, RoomClosed
from rooms.kernel.events import Event, RoomChanged
from rooms.kernel.records import RoomRecord
from rooms.kernel.tables import Room, RoomProgress, RoomStatus
from rooms.outbound.outbox import do_record_event


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
    # Conditional: of two concurrent changes to the same progress, one records it.
    changed = await (
        Room.update({Room.progress: progress.value})
        .where((Room.id == room.id) & (Room.progress != progress.value))
        .returning(Room.id)
    )
    if not changed:
        return []
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
    # Conditional: the gate read the room open, but a concurrent close may have
    # committed since (PostgreSQL, READ COMMITTED); only one of them records it.
    closed = await (
        Room.update({Room.status: RoomStatus.closed.value, Room.closed_at: now})
        .where((Room.id == room.id) & (Room.status != RoomStatus.closed.value))
        .returning(Room.id)
    )
    if not closed:
        raise RoomClosed()
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


async def check_set_progress(actor: Actor | None, room_id: UUID | str, value: str) -> list[Event]:
    async with write_transaction():
        room = (await staff_access(actor, room_id, writing=True)).room
        progress = parse_progress(value)  # after the gate: others learn nothing
        return await do_set_progress(room, progress, actor=actor, machine=None)


async def check_close_room(actor: Actor | None, room_id: UUID | str) -> list[Event]:
    async with write_transaction():
        room = (await staff_access(actor, room_id, writing=True)).room
        return await do_close_room(room, actor=actor, machine=None)


async def check_set_progress_by_client(
    client: MachineClient, room_id: UUID | str, value: str
) -> list[Event]:
    async with write_transaction():
        room = await access_room_for_client_writing(client, room_id)
        progress = parse_progress(value)
        return await do_set_progress(room, progress, actor=None, machine=client.audit_name)


async def check_close_room_by_client(client: MachineClient, room_id: UUID | str) -> list[Event]:
    async with write_transaction():
        room = await access_room_for_client_writing(client, room_id)
        return await do_close_room(room, actor=None, machine=client.audit_name)
