"""Builders: make the rows a test needs in one line, with sensible defaults."""

from __future__ import annotations

import itertools
from dataclasses import replace

from rooms.casestore.clients import do_create_client
from rooms.casestore.intake import Applicant, IntakeResult, NewRoom, check_create_room
from rooms.kernel.actors import Actor, ActorKind, MachineClient, TrustLevel
from rooms.kernel.authorities import do_create_authority, find_authority
from rooms.kernel.tables import Room
from rooms.kernel.vocabulary import ApplicantKind, RoomStatus

_counter = itertools.count(1)
LOOPBACK = ["127.0.0.0/8", "::1/128"]  # where the tests' staff work from


async def authority(slug: str = "demo-stadt", name: str = "Stadt Musterstadt") -> str:
    if await find_authority(slug) is None:
        await do_create_authority(slug, name, "Stadt", allowed_networks=LOOPBACK)
    return slug


async def client(authority_slug: str = "demo-stadt") -> tuple[MachineClient, str]:
    await authority(authority_slug, f"Behörde {authority_slug}")
    return await do_create_client(authority_slug, "Fachverfahren")


def new_room(
    applicant: Actor,
    *,
    case_ref: str | None = None,
    title: str = "Antrag auf Wohngeld",
    message: str | None = "Bitte reichen Sie Ihre Gehaltsnachweise nach.",
    min_trust_level: TrustLevel = TrustLevel.normal,
    applicant_name: str | None = None,
) -> NewRoom:
    kind = (
        ApplicantKind.organisation if applicant.kind is ActorKind.business else ApplicantKind.person
    )
    return NewRoom(
        case_ref=case_ref or f"VG-2026-{next(_counter):06d}",
        title=title,
        applicant=Applicant(
            subject=applicant.applicant_subject,
            issuer=applicant.issuer,
            kind=kind,
            name=applicant_name or applicant.name,
            email="",
        ),
        min_trust_level=min_trust_level,
        message=message,
    )


async def room(
    applicant: Actor, *, authority_slug: str = "demo-stadt", closed: bool = False, **kwargs: object
) -> IntakeResult:
    machine, _ = await client(authority_slug)
    result = await check_create_room(machine, new_room(applicant, **kwargs))  # type: ignore[arg-type]
    if closed:
        await Room.update({Room.status: RoomStatus.closed.value}).where(Room.id == result.room.id)
        result = replace(result, room=replace(result.room, status=RoomStatus.closed.value))
    return result
