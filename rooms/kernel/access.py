"""The gates: every read or write of a room, a file or an authority's settings passes here.

One gate per kind of object, with flags for what the caller is about to do, in the
manner of Zulip's ``access_stream_by_id``. The same principal type serves people and
case stores (``Principal``), so each action is written once for both.

Refusals are the same everywhere:

- ``NotFound`` (404) for "missing" and for "not yours" alike: nobody learns that a
  room exists without being in it. The applicant side, who may see the room, gets the
  very same ``NotFound`` for the authority's things (``staff_only``): nothing tells
  them that staff-only things exist.
- ``RoomClosed`` (409) for a write to a closed room, checked after the side, so it
  tells nothing to someone who may not write there anyway.
- ``TrustLevelTooLow`` to an applicant who is in the room but logged in weaker than
  the room requires (a page explains the step-up).
- ``NotAllowed`` (403) is left for a missing scope or role on an object the caller
  may know exists; the API's scope guards raise it before any gate runs.

Actions validate their input after the gate, so a refused caller learns nothing
from a 422 either.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from rooms.kernel.actors import Actor, ActorKind, MachineClient, Principal, StaffRole
from rooms.kernel.errors import NotFound, Quarantined, RoomClosed, TrustLevelTooLow
from rooms.kernel.records import (
    AdminAccess,
    AttachmentView,
    RoomAccess,
    RoomRecord,
    TemplateView,
)
from rooms.kernel.tables import Attachment, Authority, Participant, Room, TextTemplate
from rooms.kernel.vocabulary import ApplicantKind, ParticipantRole, Side

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


async def _applicant_participant(room_id: UUID, actor: Actor) -> tuple[UUID, str] | None:
    """The actor's participant row on the applicant side, and its role.

    Identity is (issuer, subject): two providers may hand out the same subject.
    """
    kind = ApplicantKind.organisation if actor.kind is ActorKind.business else ApplicantKind.person
    row: dict[str, Any] | None = (
        await Participant.select(Participant.id, Participant.role)
        .where(
            (Participant.room == room_id)
            & Participant.role.is_in(APPLICANT_SIDE_ROLES)
            & (Participant.kind == kind.value)
            & (Participant.subject == actor.applicant_subject)
            & (Participant.issuer == actor.issuer)  # a subject is unique per provider only
            & (Participant.revoked_at.is_null())
        )
        .first()
    )
    return (UUID(str(row["id"])), str(row["role"])) if row else None


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


async def _room_as_seen_by(principal: Principal, room: RoomRecord, case_store: bool) -> RoomAccess:
    if isinstance(principal, MachineClient):
        if not case_store or principal.authority_id != room.authority_id:
            raise NotFound()
        return RoomAccess(room, Side.authority, None, principal)
    if principal.is_staff:
        if not principal.is_caseworker or principal.authority_slug != room.authority_slug:
            raise NotFound()
        participant = await _caseworker_participant(room.id, principal)
        return RoomAccess(room, Side.authority, participant, principal)
    found = await _applicant_participant(room.id, principal)
    if found is None:
        raise NotFound()
    if principal.trust_level < room.min_trust_level:
        raise TrustLevelTooLow(room.min_trust_level.name)
    participant, role = found
    representative = role == ParticipantRole.representative.value
    return RoomAccess(room, Side.applicant, participant, principal, representative=representative)


async def access_room(
    principal: Principal | None,
    room_id: UUID | str,
    *,
    writing: bool = False,
    staff_only: bool = False,
    side: Side | None = None,
    representatives: bool = True,
    case_store: bool = False,
) -> RoomAccess:
    """The room as ``principal`` may see it, or the refusal.

    - ``writing``: the caller is about to change something: a closed room refuses.
    - ``staff_only``: only the authority's side (a caseworker or the case store) may;
      the applicant side gets the same ``NotFound`` as an outsider.
    - ``side``: only this side may (e.g. uploads come from the applicant side); the
      other side gets ``NotFound`` too, since the action does not exist for it.
    - ``representatives=False``: on the applicant side only the applicant itself may
      (representatives invite or remove nobody); a representative gets ``NotFound``.
    - ``case_store``: a case store's credential may pass too (its own authority's
      rooms, on the authority's side). People only by default: internal notes,
      assignment, receipts and the like never reach a machine by a forgotten check.
    """
    if staff_only and side is not None:
        raise ValueError("staff_only is side=Side.authority: give one of them")
    if principal is None:
        raise NotFound()
    room = await load_room(parse_id(room_id))
    if room is None:
        raise NotFound()
    access = await _room_as_seen_by(principal, room, case_store)
    wanted = Side.authority if staff_only else side
    if wanted is not None and access.side is not wanted:
        raise NotFound()
    if access.representative and not representatives:
        raise NotFound()
    if writing and room.closed:
        raise RoomClosed()
    return access


async def access_attachment(
    principal: Principal | None,
    attachment_id: UUID | str,
    *,
    room_id: UUID | str | None = None,
    case_store: bool = False,
) -> tuple[RoomAccess, AttachmentView]:
    """The one gate to a file: its room's gate, then the file must be clean.

    ``room_id``: the room the caller named (an API path); a file of another room is
    ``NotFound`` even to someone who may see both rooms. ``case_store``: as for rooms.
    """
    row: dict[str, Any] | None = (
        await Attachment.select().where(Attachment.id == parse_id(attachment_id)).first()
    )
    if row is None:
        raise NotFound()
    view = AttachmentView.from_row(row)
    if room_id is not None and parse_id(room_id) != view.room_id:
        raise NotFound()
    # NotFound for everyone outside the room.
    access = await access_room(principal, view.room_id, case_store=case_store)
    if not view.clean:
        raise Quarantined()
    return access, view


async def access_authority_admin(principal: Principal | None) -> AdminAccess:
    """The authority that ``principal`` administers; ``NotFound`` for anyone else."""
    if not isinstance(principal, Actor) or not principal.is_staff:
        raise NotFound()
    if principal.authority_slug is None or StaffRole.authority_admin.value not in principal.roles:
        raise NotFound()
    row: dict[str, Any] | None = (
        await Authority.select(Authority.id, Authority.slug, Authority.name)
        .where(Authority.slug == principal.authority_slug)
        .first()
    )
    if row is None:
        raise NotFound()
    return AdminAccess(parse_id(str(row["id"])), row["slug"], row["name"])


async def access_template(
    principal: Principal | None, template_id: UUID | str
) -> tuple[AdminAccess, TemplateView]:
    """A text template of the authority that ``principal`` administers; else ``NotFound``."""
    admin = await access_authority_admin(principal)
    row: dict[str, Any] | None = (
        await TextTemplate.select(
            TextTemplate.id, TextTemplate.name, TextTemplate.body, TextTemplate.updated_at
        )
        .where(
            (TextTemplate.id == parse_id(template_id))
            & (TextTemplate.authority == admin.authority_id)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return admin, TemplateView.from_row(row)
