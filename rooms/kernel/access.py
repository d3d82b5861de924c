"""The only gates to rooms: every read or write of a room's content passes here.

A missing room and someone else's room raise the same ``NotFound``: nobody can learn
that a room exists without being in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from rooms.kernel.actors import Actor, ActorKind, MachineClient, StaffRole
from rooms.kernel.errors import NotFound, RoomClosed, TrustLevelTooLow
from rooms.kernel.records import RoomAccess, RoomRecord
from rooms.kernel.tables import ApplicantKind, Authority, Participant, ParticipantRole, Room, Side

# Who acts on the applicant's side of a room.
APPLICANT_SIDE_ROLES = [ParticipantRole.applicant.value, ParticipantRole.representative.value]


def parse_id(value: UUID | str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None


async def load_room(room_id: UUID) -> RoomRecord | None:
    row: dict[str, Any] | None = (
        await Room.select(*Room.all_columns(), Room.authority.slug, Room.authority.name)
        .where(Room.id == room_id)
        .first()
    )
    return RoomRecord.from_row(row) if row else None


async def _applicant_participant(room_id: UUID, actor: Actor) -> UUID | None:
    kind = ApplicantKind.organisation if actor.kind is ActorKind.business else ApplicantKind.person
    row: dict[str, Any] | None = (
        await Participant.select(Participant.id)
        .where(
            (Participant.room == room_id)
            & Participant.role.is_in(APPLICANT_SIDE_ROLES)
            & (Participant.kind == kind.value)
            & (Participant.subject == actor.applicant_subject)
            & (Participant.revoked_at.is_null())
        )
        .first()
    )
    return UUID(str(row["id"])) if row else None


async def _caseworker_participant(room_id: UUID, actor: Actor) -> UUID | None:
    row: dict[str, Any] | None = (
        await Participant.select(Participant.id)
        .where(
            (Participant.room == room_id)
            & (Participant.role == ParticipantRole.caseworker.value)
            & (Participant.subject == actor.subject)
        )
        .first()
    )
    return UUID(str(row["id"])) if row else None


async def access_room(actor: Actor | None, room_id: UUID | str) -> RoomAccess:
    """Return the room as ``actor`` may see it, or raise ``NotFound``.

    Raises ``TrustLevelTooLow`` only to someone who is in the room but logged in
    with a weaker method than the room requires.
    """
    if actor is None:
        raise NotFound()
    rid = parse_id(room_id)
    room = await load_room(rid)
    if room is None:
        raise NotFound()
    if actor.is_staff:
        if not actor.is_caseworker or actor.authority_slug != room.authority_slug:
            raise NotFound()
        return RoomAccess(room, Side.authority, await _caseworker_participant(rid, actor))
    participant = await _applicant_participant(rid, actor)
    if participant is None:
        raise NotFound()
    if actor.trust_level < room.min_trust_level:
        raise TrustLevelTooLow(room.min_trust_level.name)
    return RoomAccess(room, Side.applicant, participant)


async def access_room_for_writing(actor: Actor | None, room_id: UUID | str) -> RoomAccess:
    access = await access_room(actor, room_id)
    if access.room.closed:
        raise RoomClosed()
    return access


async def access_room_for_client(client: MachineClient, room_id: UUID | str) -> RoomRecord:
    """The room as a case store's credential may see it: only its own authority's."""
    rid = parse_id(room_id)
    room = await load_room(rid)
    if room is None or room.authority_id != client.authority_id:
        raise NotFound()
    return room


async def access_room_for_client_writing(client: MachineClient, room_id: UUID | str) -> RoomRecord:
    room = await access_room_for_client(client, room_id)
    if room.closed:
        raise RoomClosed()
    return room


@dataclass(frozen=True)
class AdminAccess:
    """An authority as its administrator may manage it."""

    authority_id: UUID
    authority_slug: str
    authority_name: str


async def access_authority_admin(actor: Actor | None) -> AdminAccess:
    """The actor's authority, if they administer it; otherwise ``NotFound``."""
    if actor is None or not actor.is_staff or actor.authority_slug is None:
        raise NotFound()
    if StaffRole.authority_admin.value not in actor.roles:
        raise NotFound()
    row: dict[str, Any] | None = (
        await Authority.select(Authority.id, Authority.slug, Authority.name)
        .where(Authority.slug == actor.authority_slug)
        .first()
    )
    if row is None:
        raise NotFound()
    return AdminAccess(parse_id(str(row["id"])), row["slug"], row["name"])
