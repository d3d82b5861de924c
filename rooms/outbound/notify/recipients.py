"""Who is told: the applicant side of a room, or its caseworkers (for digests).

Each recipient carries the key of its preferences and account address: an applicant's
(realm, issuer, subject) from its participant row, a caseworker's with the empty issuer
(staff are named by subject alone, as their participant rows and assignments are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from rooms.kernel.access import APPLICANT_SIDE_ROLES
from rooms.kernel.actors import ActorKind
from rooms.kernel.tables import Participant, Room
from rooms.kernel.vocabulary import ApplicantKind, ParticipantRole
from rooms.outbound.notify.preferences import PersonKey


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: realm, issuer and subject (whose preferences apply), name, address."""

    realm: str
    issuer: str
    subject: str
    name: str
    email: str

    @property
    def key(self) -> PersonKey:
        return self.realm, self.issuer, self.subject


async def applicant_side(room_id: UUID) -> list[Recipient]:
    """The room's applicant and representatives whose access was not revoked."""
    rows: list[dict[str, Any]] = (
        await Participant.select(
            Participant.kind,
            Participant.issuer,
            Participant.subject,
            Participant.name,
            Participant.email,
        )
        .where(
            (Participant.room == room_id)
            & Participant.role.is_in(APPLICANT_SIDE_ROLES)
            & Participant.revoked_at.is_null()
        )
        .order_by(Participant.added_at)
    )
    found: dict[PersonKey, Recipient] = {}
    for r in rows:
        realm = ActorKind.business if r["kind"] == ApplicantKind.organisation else ActorKind.citizen
        person = Recipient(realm.value, r["issuer"], r["subject"], r["name"], r["email"] or "")
        found.setdefault(person.key, person)
    return list(found.values())


async def staff_of_room(room_id: UUID) -> list[Recipient]:
    """The room's assignee if it has one, else every caseworker who worked in it."""
    room: dict[str, Any] | None = (
        await Room.select(Room.assignee_subject, Room.assignee_name)
        .where(Room.id == room_id)
        .first()
    )
    if room is None:
        return []
    query = Participant.select(Participant.subject, Participant.name, Participant.email).where(
        (Participant.room == room_id)
        & (Participant.role == ParticipantRole.caseworker.value)
        & Participant.revoked_at.is_null()
    )
    rows: list[dict[str, Any]] = await query
    staff = {r["subject"]: r for r in rows}
    if room["assignee_subject"]:
        subject = room["assignee_subject"]
        known = staff.get(subject)
        return [
            Recipient(
                ActorKind.staff.value,
                "",
                subject,
                known["name"] if known else room["assignee_name"],
                (known["email"] if known else "") or "",
            )
        ]
    return [
        Recipient(ActorKind.staff.value, "", s, r["name"], r["email"] or "")
        for s, r in staff.items()
    ]
