"""Rooms through the machine API: intake, reading, listing, progress and closing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from app.api.idempotency import IdempotencyKey
from app.api.problems import problems
from app.api.scopes import READ, WRITE
from app.identity.issuers import sole_applicant_issuer
from app.settings import Settings
from rooms.casestore.api_views import RoomFilter, RoomView, room_for_client, rooms_for_client
from rooms.casestore.intake import Applicant, NewRoom, check_create_room
from rooms.casework.lifecycle import check_close_room, check_set_progress
from rooms.kernel.actors import MachineClient, TrustLevel
from rooms.kernel.vocabulary import ApplicantKind

Progress = Literal["received", "in_progress", "waiting", "decided"]


class ApplicantIn(msgspec.Struct, forbid_unknown_fields=True):
    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    kind: Literal["person", "organisation"]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(max_length=320)] = ""
    issuer: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=255,
                description=(
                    "The OpenID provider (its `iss`) whose subject `subject` is: a subject"
                    " is unique per provider only. Optional while the portal has exactly"
                    " one provider for applicants (that one is meant); required otherwise."
                ),
            ),
        ]
        | None
    ) = None


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
    guards=[WRITE],
    responses={
        200: ResponseSpec(RoomOut, description="This case_ref already has a room: that room"),
        **problems(401, 403, 409, 413, 422),
    },
)
async def create_room(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    data: JSONBody[RoomIn],
    idempotency_key: IdempotencyKey = None,
) -> Response[RoomOut]:
    settings: Settings = request.app.state.settings
    issuer = data.applicant.issuer or sole_applicant_issuer(settings) or ""
    new = NewRoom(
        case_ref=data.case_ref,
        title=data.title,
        applicant=Applicant(
            subject=data.applicant.subject,
            kind=ApplicantKind(data.applicant.kind),
            name=data.applicant.name,
            email=data.applicant.email,
            issuer=issuer,
        ),
        min_trust_level=TrustLevel.parse(data.min_trust_level),
        message=data.message.body if data.message else None,
    )
    result = await check_create_room(client, new, max_length=settings.messages.max_length)
    out = RoomOut(
        id=result.room.id,
        url=f"{settings.app.base_url}/rooms/{result.room.id}",
        case_ref=result.room.case_ref,
    )
    if result.created:
        return Response(out, status_code=201, headers={"Location": out.url})
    return Response(out, status_code=200)


# --- reading, listing, progress, closing ---------------------------------------------------


class ParticipantOut(msgspec.Struct):
    role: Literal["applicant", "representative"]
    kind: Literal["person", "organisation"]
    name: str


class RoomDetail(msgspec.Struct):
    id: UUID
    url: str
    case_ref: str
    title: str
    status: Literal["open", "closed"]
    progress: Progress
    applicant_status: Literal["received", "in_progress", "waiting", "decided", "closed"]
    """What the applicant is shown: the progress, or ``closed``."""
    created_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None
    last_seq: int
    """The sequence number of the newest timeline item (0: none yet)."""
    participants: list[ParticipantOut]
    """The applicant's side: the applicant and active representatives."""
    open_document_requests: int


class RoomList(msgspec.Struct):
    rooms: list[RoomDetail]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; null on the last page."""


class ProgressIn(msgspec.Struct, forbid_unknown_fields=True):
    progress: Progress


def room_detail(view: RoomView, base_url: str) -> RoomDetail:
    room = view.room
    return RoomDetail(
        id=room.id,
        url=f"{base_url}/rooms/{room.id}",
        case_ref=room.case_ref,
        title=room.title,
        status=room.status,  # type: ignore[arg-type]
        progress=room.progress,  # type: ignore[arg-type]
        applicant_status=room.applicant_status,  # type: ignore[arg-type]
        created_at=room.created_at,
        last_activity_at=room.last_activity_at,
        closed_at=room.closed_at,
        last_seq=room.last_seq,
        participants=[
            ParticipantOut(p.role, p.kind, p.name)  # type: ignore[arg-type]
            for p in view.participants
        ],
        open_document_requests=view.open_requests,
    )


def _base_url(request: Request[Any, Any, Any]) -> str:
    settings: Settings = request.app.state.settings
    return settings.app.base_url


@get(
    "/rooms/{room_id:str}",
    summary="Read one room",
    guards=[READ],
    responses=problems(401, 403, 404),
)
async def read_room(
    request: Request[Any, Any, Any], client: NamedDependency[MachineClient], room_id: FromPath[str]
) -> RoomDetail:
    return room_detail(await room_for_client(client, room_id), _base_url(request))


@get(
    "/rooms",
    summary="List this authority's rooms, oldest first, or find one by case_ref",
    description=(
        "Pages are ordered by creation (oldest first) and continued with `cursor`: "
        "rooms created while you page arrive on later pages, nothing is skipped or "
        "repeated. With `case_ref`, an unknown reference is answered with 404."
    ),
    guards=[READ],
    responses=problems(401, 403, 404, 422),
)
async def list_rooms(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    case_ref: Annotated[
        str | None,
        QueryParameter(min_length=1, max_length=100, description="Exactly this case reference"),
    ] = None,
    status: Annotated[
        Literal["open", "closed"] | None, QueryParameter(description="Open or closed rooms only")
    ] = None,
    progress: Annotated[
        Progress | None, QueryParameter(description="Rooms at this stage only")
    ] = None,
    updated_since: Annotated[
        datetime | None,
        QueryParameter(description="Rooms with activity at or after this instant (with offset)"),
    ] = None,
    cursor: Annotated[
        str | None,
        QueryParameter(max_length=500, description="`next_cursor` of the previous page"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
) -> RoomList:
    page = await rooms_for_client(
        client,
        RoomFilter(case_ref, status, progress, updated_since),
        cursor=cursor,
        limit=limit,
    )
    base = _base_url(request)
    return RoomList([room_detail(v, base) for v in page.rooms], page.next_cursor)


@post(
    "/rooms/{room_id:str}/status",
    summary="Set where the application stands (as the applicant sees it)",
    status_code=200,
    guards=[WRITE],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def set_progress(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    data: JSONBody[ProgressIn],
    idempotency_key: IdempotencyKey = None,
) -> RoomDetail:
    await check_set_progress(client, room_id, data.progress)
    return room_detail(await room_for_client(client, room_id), _base_url(request))


@post(
    "/rooms/{room_id:str}/close",
    summary="Close the room: read-only for everyone from now on",
    status_code=200,
    guards=[WRITE],
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def close_room(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    idempotency_key: IdempotencyKey = None,
) -> RoomDetail:
    await check_close_room(client, room_id)
    return room_detail(await room_for_client(client, room_id), _base_url(request))
