"""Representatives: added by a one-time invitation code, removed by the applicant.

A representative (Bevollmächtigte, tax advisor) acts for the applicant with their own
account. The applicant or a caseworker invites; the code is bound to the account that
redeems it; the applicant (or a caseworker) can remove a representative again.
Closing a room revokes its open codes, and a code is redeemed only into an open room.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from rooms.kernel import audit
from rooms.kernel.access import access_room, parse_id
from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.events import ParticipantAdded, ParticipantRemoved
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Invitation, Participant, Room
from rooms.kernel.text import INVALID_CHARACTERS, holds_nul
from rooms.kernel.vocabulary import ApplicantKind, ParticipantRole, RoomStatus
from rooms.outbound.outbox import do_record

INVITATION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class CreatedInvitation:
    code: str
    """Shown once to its creator; only its hash is stored."""
    expires_at: datetime


@dataclass(frozen=True)
class RoomParticipant:
    """Someone in the room now, as the room page lists them."""

    id: UUID
    role: str
    name: str
    added_at: datetime


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _new_code() -> str:
    # 20 characters from an alphabet without look-alikes, grouped for reading aloud.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


async def check_create_invitation(
    actor: Actor, room_id: UUID | str, label: str = ""
) -> CreatedInvitation:
    """The applicant (or a caseworker) invites a representative into an open room."""
    label = label.strip()
    async with write_transaction():
        # Representatives do not invite further representatives.
        access = await access_room(actor, room_id, writing=True, representatives=False)
        if len(label) > 200:  # after the gate, as everywhere
            raise Invalid({"label": "too_long"})
        if holds_nul(label):
            raise Invalid({"label": INVALID_CHARACTERS})
        code = _new_code()
        expires_at = datetime.now(UTC) + INVITATION_LIFETIME
        await Invitation.insert(
            Invitation(
                room=access.room.id,
                code_hash=_hash(code),
                label=label,
                created_by=actor.pseudonym,
                expires_at=expires_at,
            )
        )
        await audit.record(
            "invitation_created",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
        )
    return CreatedInvitation(code=code, expires_at=expires_at)


class InvitationRefused(Invalid):
    """The code is unknown, used, expired or revoked (one message for all)."""

    def __init__(self) -> None:
        super().__init__({"code": "invalid"})


class _Unusable(Exception):
    def __init__(self, room_id: UUID | None) -> None:
        self.room_id = room_id


async def _claim(code_hash: str, now: datetime) -> UUID:
    """Mark the invitation redeemed if it still may be; its room's id.

    A conditional UPDATE, so that of two concurrent redemptions (or a redemption and
    the room's closing, which revokes open codes) exactly one wins the row.
    """
    claimed: list[dict[str, Any]] = await (
        Invitation.update({Invitation.redeemed_at: now})
        .where(
            (Invitation.code_hash == code_hash)
            & Invitation.redeemed_at.is_null()
            & Invitation.revoked_at.is_null()
            & (Invitation.expires_at > now)
        )
        .returning(Invitation.id, Invitation.room)
    )
    if not claimed:
        row: dict[str, Any] | None = (
            await Invitation.select(Invitation.room)
            .where(Invitation.code_hash == code_hash)
            .first()
        )
        raise _Unusable(UUID(str(row["room"])) if row else None)
    room_id = UUID(str(claimed[0]["room"]))
    room: dict[str, Any] | None = await Room.select(Room.status).where(Room.id == room_id).first()
    if room is None or room["status"] == RoomStatus.closed.value:
        raise _Unusable(room_id)  # a closed room takes nobody new in
    return room_id


async def check_redeem_invitation(actor: Actor, code: str) -> UUID:
    """Bind the invitation to ``actor``'s account; return the room's id.

    Once only, also for accounts redeeming the same code at the same instant: the
    code is claimed by a conditional ``UPDATE … WHERE redeemed_at IS NULL …
    RETURNING`` before anything else. On PostgreSQL a concurrent claim waits for the
    row lock and then re-checks the condition on the committed row (READ COMMITTED),
    so it finds the code used; a read-then-write would let both pass (as it did).
    """
    if actor.is_staff:
        raise InvitationRefused()
    code_hash = _hash(code)
    try:
        async with write_transaction():
            room_id = await _claim(code_hash, datetime.now(UTC))
            participant = await _add_representative(room_id, actor)
            await Invitation.update({Invitation.redeemed_by: participant}).where(
                Invitation.code_hash == code_hash
            )
            await _participant_event(ParticipantAdded, room_id, participant)
    except _Unusable as unusable:
        # Outside the refused transaction, so the attempt is on record.
        await audit.record(
            "invitation_redeemed", actor=actor, outcome="refused", room_id=unusable.room_id
        )
        raise InvitationRefused() from None
    await audit.record("participant_added", actor=actor, room_id=room_id)
    return room_id


async def do_revoke_open_invitations(room_id: UUID, now: datetime) -> None:
    """Codes not yet redeemed stop working (the room is closing)."""
    await Invitation.update({Invitation.revoked_at: now}).where(
        (Invitation.room == room_id)
        & Invitation.redeemed_at.is_null()
        & Invitation.revoked_at.is_null()
    )


async def _participant_event(
    fact: type[ParticipantAdded | ParticipantRemoved], room_id: UUID, participant_id: UUID
) -> None:
    room: dict[str, Any] | None = (
        await Room.select(Room.authority).where(Room.id == room_id).first()
    )
    assert room is not None
    await do_record(
        fact(
            room_id,
            UUID(str(room["authority"])),
            participant_id=participant_id,
            role=ParticipantRole.representative.value,
        )
    )


async def _add_representative(room_id: UUID, actor: Actor) -> UUID:
    kind = ApplicantKind.organisation if actor.kind is ActorKind.business else ApplicantKind.person
    existing: dict[str, Any] | None = (
        await Participant.select(Participant.id)
        .where(
            (Participant.room == room_id)
            & (Participant.role == ParticipantRole.representative.value)
            & (Participant.subject == actor.applicant_subject)
            & (Participant.issuer == actor.issuer)
        )
        .first()
    )
    if existing is not None:  # invited again after removal: restore
        await Participant.update(
            {Participant.revoked_at: None, Participant.name: actor.name}
        ).where(Participant.id == existing["id"])
        return UUID(str(existing["id"]))
    participant = Participant(
        room=room_id,
        role=ParticipantRole.representative.value,
        kind=kind.value,
        subject=actor.applicant_subject,
        issuer=actor.issuer,
        name=actor.name,
        email=actor.email,
    )
    await participant.save()
    return UUID(str(participant.id))


async def check_remove_representative(
    actor: Actor, room_id: UUID | str, participant_id: UUID | str
) -> None:
    """The applicant or a caseworker removes a representative; access ends at once."""
    pid = parse_id(participant_id)
    async with write_transaction():
        access = await access_room(actor, room_id, representatives=False)
        changed: list[dict[str, Any]] = await (
            Participant.update({Participant.revoked_at: datetime.now(UTC)})
            .where(
                (Participant.id == pid)
                & (Participant.room == access.room.id)
                & (Participant.role == ParticipantRole.representative.value)
                & Participant.revoked_at.is_null()
            )
            .returning(Participant.id)
        )
        if not changed:
            raise NotFound()
        await _participant_event(ParticipantRemoved, access.room.id, pid)
        await audit.record(
            "participant_removed",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
        )


async def participants(room_id: UUID) -> list[RoomParticipant]:
    """Who is in the room now (for people who may see the room)."""
    rows: list[dict[str, Any]] = (
        await Participant.select(
            Participant.id, Participant.role, Participant.name, Participant.added_at
        )
        .where((Participant.room == room_id) & Participant.revoked_at.is_null())
        .order_by(Participant.added_at)
    )
    return [RoomParticipant(UUID(str(r["id"])), r["role"], r["name"], r["added_at"]) for r in rows]


def can_manage_representatives(access: RoomAccess) -> bool:
    """Caseworkers and the applicant may; representatives may not."""
    return not access.room.closed and not access.representative
