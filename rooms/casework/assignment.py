"""Assigning a room to a caseworker of its authority or to a team, with a hand-over note."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from rooms.casework.notes import NoteKind, clean_note, do_add_note
from rooms.casework.timeline import ensure_caseworker_participant
from rooms.kernel import audit
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.events import Assigned
from rooms.kernel.tables import Participant, Room
from rooms.kernel.vocabulary import ParticipantRole
from rooms.outbound.outbox import do_record

MAX_TEAM_LENGTH = 100


@dataclass(frozen=True)
class Caseworker:
    subject: str
    name: str


async def known_caseworkers(authority_id: UUID) -> list[Caseworker]:
    """Caseworkers the authority knows: those who have worked in any of its rooms.

    Staff reach rooms through their authority and are recorded as participants on
    their first visit; that record is the only staff directory the portal keeps.
    """
    rows: list[dict[str, Any]] = await Participant.raw(
        """
SELECT p.subject, MIN(p.name) AS name FROM participant p JOIN room r ON r.id = p.room
WHERE r.authority = {} AND p.role = {}
GROUP BY p.subject ORDER BY MIN(p.name), p.subject
""",
        authority_id,
        ParticipantRole.caseworker.value,
    )
    return [Caseworker(r["subject"], r["name"]) for r in rows]


async def _caseworker_name(authority_id: UUID, subject: str) -> str | None:
    """The name of one caseworker known to the authority (see :func:`known_caseworkers`)."""
    rows: list[dict[str, Any]] = await Participant.raw(
        """
SELECT MIN(p.name) AS name FROM participant p JOIN room r ON r.id = p.room
WHERE r.authority = {} AND p.role = {} AND p.subject = {}
HAVING COUNT(*) > 0
""",
        authority_id,
        ParticipantRole.caseworker.value,
        subject,
    )
    return str(rows[0]["name"]) if rows else None


def clean_team(team: str) -> str:
    text = " ".join(team.split())
    if len(text) > MAX_TEAM_LENGTH:
        raise Invalid({"team": "too_long"})
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise Invalid({"team": "invalid_characters"})
    return text


async def check_assign(
    actor: Actor | None,
    room_id: UUID | str,
    *,
    assignee: str,
    team: str = "",
    note: str = "",
) -> None:
    """Assign the room to ``assignee`` (a caseworker's subject, or "" for nobody) and a team.

    The assignee must be the actor or a caseworker known to the room's authority. A
    non-empty ``note`` is kept as a hand-over note among the internal notes.
    """
    async with write_transaction():
        access = await access_room(actor, room_id, writing=True, staff_only=True)
        assert actor is not None
        team_text = clean_team(team)
        note_text = clean_note(note) if note.strip() else ""
        name = ""
        if assignee == actor.subject:
            name = actor.name
        elif assignee:
            known = await _caseworker_name(access.room.authority_id, assignee)
            if known is None:
                raise Invalid({"assignee": "unknown"})
            name = known
        await ensure_caseworker_participant(access)  # the actor becomes known
        await Room.update(
            {Room.assignee_subject: assignee, Room.assignee_name: name, Room.team: team_text}
        ).where(Room.id == access.room.id)
        if note_text:
            await do_add_note(access, actor, note_text, kind=NoteKind.handover)
        await audit.record(
            "room_assigned",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={
                "to_self": bool(assignee) and assignee == actor.subject,
                "assigned": bool(assignee),
                "team": bool(team_text),
                "handover_note": bool(note_text),
            },
        )
        await do_record(Assigned(access.room.id, access.room.authority_id))
