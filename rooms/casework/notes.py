"""Internal notes: the authority's staff talk about a room; the applicant side never sees them.

The notes live in their own table (``InternalNote``), apart from the timeline, so no
query of the applicant's side can reach them by a forgotten filter. Every function
here passes :func:`staff_access` first, which answers the applicant side with the same
``NotFound`` as a foreign room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.casework.timeline import clean_body
from rooms.kernel import audit
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound, RoomClosed
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import InternalNote, Side

MAX_NOTE_LENGTH = 5_000


class NoteKind:
    note = "note"
    handover = "handover"
    """Written with an assignment: what the next caseworker needs to know."""


@dataclass(frozen=True)
class NoteView:
    id: UUID
    kind: str
    author_name: str
    body: str
    created_at: datetime


async def staff_access(
    actor: Actor | None, room_id: UUID | str, *, writing: bool = False
) -> RoomAccess:
    """The room for a caseworker of its authority; ``NotFound`` for everyone else.

    The applicant side, who may see the room itself, gets the very same ``NotFound``
    as an outsider: nothing tells them that staff-only things exist, not even that
    the room is closed to writing (the side is checked before ``RoomClosed``).
    """
    access = await access_room(actor, room_id)
    if access.side is not Side.authority:
        raise NotFound()
    if writing and access.room.closed:
        raise RoomClosed()
    return access


def clean_note(body: str) -> str:
    try:
        return clean_body(body, MAX_NOTE_LENGTH)
    except Invalid as exc:
        raise Invalid({"note": exc.errors["body"]}) from None


async def room_notes(room_id: UUID) -> list[NoteView]:
    """The notes of a room, oldest first; call only after :func:`staff_access`."""
    rows: list[dict[str, Any]] = (
        await InternalNote.select(
            InternalNote.id,
            InternalNote.kind,
            InternalNote.author_name,
            InternalNote.body,
            InternalNote.created_at,
        )
        .where(InternalNote.room == room_id)
        .order_by(InternalNote.created_at)
    )
    return [
        NoteView(UUID(str(r["id"])), r["kind"], r["author_name"], r["body"], r["created_at"])
        for r in rows
    ]


async def do_add_note(access: RoomAccess, actor: Actor, body: str, *, kind: str) -> UUID:
    note = InternalNote(
        room=access.room.id,
        kind=kind,
        author_subject=actor.subject,
        author_name=actor.name,
        body=body,
        created_at=datetime.now(UTC),
    )
    await note.save()
    await audit.record(
        "internal_note_added",
        actor=actor,
        room_id=access.room.id,
        authority_id=access.room.authority_id,
        detail={"kind": kind},
    )
    return UUID(str(note.id))


async def check_add_note(actor: Actor | None, room_id: UUID | str, body: str) -> UUID:
    """A caseworker of the room's authority adds a note; no live event reaches anyone."""
    async with write_transaction():
        access = await staff_access(actor, room_id, writing=True)
        assert actor is not None
        text = clean_note(body)
        return await do_add_note(access, actor, text, kind=NoteKind.note)
