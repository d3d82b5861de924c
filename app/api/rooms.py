"""Rooms through the machine API: intake."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from app.api.problems import PROBLEM_RESPONSES
from app.publish import publish
from app.settings import Settings
from rooms.actors import TrustLevel
from rooms.clients import MachineClient
from rooms.intake import Applicant, NewRoom, check_create_room
from rooms.tables import ApplicantKind


class ApplicantIn(msgspec.Struct, forbid_unknown_fields=True):
    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    kind: Literal["person", "organisation"]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(max_length=320)] = ""


class MessageIn(msgspec.Struct, forbid_unknown_fields=True):
    body: str


class RoomIn(msgspec.Struct, forbid_unknown_fields=True):
    case_ref: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    applicant: ApplicantIn
    min_trust_level: Literal["normal", "substantial", "high"] = "normal"
    message: MessageIn | None = None


class RoomOut(msgspec.Struct):
    id: UUID
    url: str
    case_ref: str


@post(
    "/rooms",
    summary="Create the room for an application (idempotent on case_ref)",
    description=(
        "Answers 201 with the new room, or 200 with the existing room when this "
        "authority already has a room for the case reference."
    ),
    status_code=201,
    responses={
        200: ResponseSpec(RoomOut, description="This case_ref already has a room: that room"),
        **PROBLEM_RESPONSES,
    },
)
async def create_room(
    request: Request[Any, Any, Any], client: NamedDependency[MachineClient], data: JSONBody[RoomIn]
) -> Response[RoomOut]:
    settings: Settings = request.app.state.settings
    new = NewRoom(
        case_ref=data.case_ref,
        title=data.title,
        applicant=Applicant(
            subject=data.applicant.subject,
            kind=ApplicantKind(data.applicant.kind),
            name=data.applicant.name,
            email=data.applicant.email,
        ),
        min_trust_level=TrustLevel.parse(data.min_trust_level),
        message=data.message.body if data.message else None,
    )
    result = await check_create_room(client, new, max_length=settings.messages.max_length)
    publish(request.app, result.events)
    out = RoomOut(
        id=result.room.id,
        url=f"{settings.app.base_url}/rooms/{result.room.id}",
        case_ref=result.room.case_ref,
    )
    if result.created:
        return Response(out, status_code=201, headers={"Location": out.url})
    return Response(out, status_code=200)
