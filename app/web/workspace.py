"""The staff-only parts of the room page: notes, assignment, status, text templates."""

from __future__ import annotations

from typing import Any

from rooms.casework.assignment import known_caseworkers
from rooms.casework.notes import MAX_NOTE_LENGTH, room_notes
from rooms.casework.text_templates import templates_of
from rooms.kernel.records import RoomAccess
from rooms.kernel.vocabulary import RoomProgress, Side

PROGRESS_CHOICES = [p.value for p in RoomProgress]


async def composer_context(access: RoomAccess) -> dict[str, Any]:
    """What the composer needs besides the room: the authority's templates, for staff."""
    if access.side is not Side.authority:
        return {"text_templates": []}
    return {"text_templates": await templates_of(access.room.authority_id)}


async def workspace_context(access: RoomAccess) -> dict[str, Any]:
    """Staff-only context of the room page; nothing at all for the applicant side."""
    if access.side is not Side.authority:
        return {"text_templates": []}
    return {
        "notes": await room_notes(access.room.id),
        "note_max_length": MAX_NOTE_LENGTH,
        "caseworkers": await known_caseworkers(access.room.authority_id),
        "progress_choices": PROGRESS_CHOICES,
        **await composer_context(access),
    }
