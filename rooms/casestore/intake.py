"""Intake: a case store opens a room for an application (idempotent on case_ref)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from rooms.casework.timeline import DEFAULT_MAX_LENGTH, clean_body, do_add_item
from rooms.kernel import audit
from rooms.kernel.access import load_room
from rooms.kernel.actors import MachineClient, TrustLevel
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.events import RoomCreated
from rooms.kernel.records import RoomRecord
from rooms.kernel.tables import Participant, Room
from rooms.kernel.vocabulary import ApplicantKind, ParticipantRole, Side
from rooms.outbound.outbox import do_record

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,99}$")


@dataclass(frozen=True)
class Applicant:
    subject: str
    kind: ApplicantKind
    name: str
    email: str = ""
    issuer: str = ""
    """The identity provider whose ``subject`` this is; required (the API fills in
    the one applicant provider when a case store leaves it out)."""


@dataclass(frozen=True)
class NewRoom:
    case_ref: str
    title: str
    applicant: Applicant
    min_trust_level: TrustLevel = TrustLevel.normal
    message: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    room: RoomRecord
    created: bool


def validate(new: NewRoom, max_length: int) -> NewRoom:
    errors: dict[str, str] = {}
    if not CASE_REF.match(new.case_ref):
        errors["case_ref"] = "invalid"
    title = new.title.strip()
    if not title or len(title) > 300:
        errors["title"] = "invalid"
    if not new.applicant.subject.strip() or len(new.applicant.subject) > 255:
        errors["applicant.subject"] = "invalid"
    issuer = new.applicant.issuer.strip()
    if not issuer or len(issuer) > 255:
        errors["applicant.issuer"] = "invalid"
    name = new.applicant.name.strip()
    if not name or len(name) > 200:
        errors["applicant.name"] = "invalid"
    message = None
    if new.message is not None:
        try:
            message = clean_body(new.message, max_length)
        except Invalid as exc:
            errors["message.body"] = exc.errors["body"]
    if errors:
        raise Invalid(errors)
    applicant = Applicant(
        subject=new.applicant.subject.strip(),
        kind=new.applicant.kind,
        name=name,
        email=new.applicant.email.strip(),
        issuer=issuer,
    )
    return NewRoom(new.case_ref, title, applicant, new.min_trust_level, message)


async def _existing(client: MachineClient, case_ref: str) -> RoomRecord | None:
    row: dict[str, Any] | None = (
        await Room.select(Room.id)
        .where((Room.authority == client.authority_id) & (Room.case_ref == case_ref))
        .first()
    )
    return await load_room(UUID(str(row["id"]))) if row else None


async def do_create_room(client: MachineClient, new: NewRoom) -> UUID:
    room = Room(
        authority=client.authority_id,
        case_ref=new.case_ref,
        title=new.title,
        min_trust_level=new.min_trust_level.name,
    )
    await room.save()
    room_id = UUID(str(room.id))
    await Participant.insert(
        Participant(
            room=room_id,
            role=ParticipantRole.applicant.value,
            kind=new.applicant.kind.value,
            subject=new.applicant.subject,
            issuer=new.applicant.issuer,
            name=new.applicant.name,
            email=new.applicant.email,
        )
    )
    await do_record(RoomCreated(room_id, client.authority_id, case_ref=new.case_ref))
    if new.message:
        await do_add_item(
            room_id,
            side=Side.authority,
            author=None,
            author_name=client.authority_name,
            body=new.message,
        )
    await audit.record(
        "room_created",
        actor=None,
        machine=client.audit_name,
        room_id=room_id,
        authority_id=client.authority_id,
    )
    return room_id


async def do_assign_issuer(issuer: str) -> int:
    """Give applicant-side rows recorded without an issuer ``issuer``; how many.

    For rows from before issuers were recorded (see the migration that added the
    column): the app calls it at start when exactly one provider logs applicants in,
    so those rows can only have come from it. Until then such rows match nobody.
    """
    async with write_transaction():
        rows: list[dict[str, Any]] = await (
            Participant.update({Participant.issuer: issuer})
            .where(
                (Participant.issuer == "")
                & Participant.role.is_in(
                    [ParticipantRole.applicant.value, ParticipantRole.representative.value]
                )
            )
            .returning(Participant.id)
        )
    return len(rows)


async def unassigned_participants() -> int:
    """Applicant-side rows still without an issuer (they match nobody)."""
    count: int = await Participant.count().where(
        (Participant.issuer == "")
        & Participant.role.is_in(
            [ParticipantRole.applicant.value, ParticipantRole.representative.value]
        )
    )
    return count


async def check_create_room(
    client: MachineClient, new: NewRoom, *, max_length: int = DEFAULT_MAX_LENGTH
) -> IntakeResult:
    new = validate(new, max_length)
    try:
        async with write_transaction():
            existing = await _existing(client, new.case_ref)
            if existing is not None:
                return IntakeResult(existing, created=False)
            room_id = await do_create_room(client, new)
    except Exception:
        # A concurrent intake of the same case_ref won the race (unique index):
        # answer with its room, as a repeat would get.
        existing = await _existing(client, new.case_ref)
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    room = await load_room(room_id)
    assert room is not None
    return IntakeResult(room, created=True)
