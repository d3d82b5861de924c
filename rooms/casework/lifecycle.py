"""A room's way through the application: progress (as the applicant sees it) and closing.

Caseworkers change it in the room; case stores through the API. A closed room is
read-only for everyone (the gates refuse writes), and stays readable for its
participants: the applicant still needs the decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from rooms.casework.representatives import do_revoke_open_invitations
from rooms.kernel import audit
from rooms.kernel.access import access_room
from rooms.kernel.actors import Principal
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, RoomClosed
from rooms.kernel.events import ProgressChanged, RoomWasClosed
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Room
from rooms.kernel.vocabulary import RoomProgress, RoomStatus
from rooms.outbound.outbox import do_record


def parse_progress(value: str) -> RoomProgress:
    try:
        return RoomProgress(value)
    except ValueError:
        raise Invalid({"progress": "invalid"}) from None


async def do_set_progress(access: RoomAccess, progress: RoomProgress) -> bool:
    """Record a new progress; False when the room already had it."""
    room = access.room
    if room.progress == progress.value:
        return False
    # Conditional: of two concurrent changes to the same progress, one records it.
    changed = await (
        Room.update({Room.progress: progress.value})
        .where((Room.id == room.id) & (Room.progress != progress.value))
        .returning(Room.id)
    )
    if not changed:
        return False
    await do_record(ProgressChanged(room.id, room.authority_id, progress=progress.value))
    await audit.record(
        "room_progress_changed",
        actor=access.principal,
        room_id=room.id,
        authority_id=room.authority_id,
        detail={"progress": progress.value},
    )
    return True


async def do_close_room(access: RoomAccess) -> None:
    room = access.room
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
    await do_revoke_open_invitations(room.id, now)  # nobody new joins a closed room
    await do_record(RoomWasClosed(room.id, room.authority_id, closed_at=now.isoformat()))
    await audit.record(
        "room_closed", actor=access.principal, room_id=room.id, authority_id=room.authority_id
    )


async def check_set_progress(principal: Principal | None, room_id: UUID | str, value: str) -> bool:
    """The authority's side (a caseworker or the case store) sets the progress."""
    async with write_transaction():
        access = await access_room(
            principal, room_id, writing=True, staff_only=True, case_store=True
        )
        progress = parse_progress(value)  # after the gate: others learn nothing
        return await do_set_progress(access, progress)


async def check_close_room(principal: Principal | None, room_id: UUID | str) -> None:
    """The authority's side closes the room: read-only from now on."""
    async with write_transaction():
        access = await access_room(
            principal, room_id, writing=True, staff_only=True, case_store=True
        )
        await do_close_room(access)
