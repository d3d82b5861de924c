"""Decisions through the machine API: the case store posts one, and reads the evidence.

The document travels base64-encoded in the JSON body. Its encoded length is checked
against ``uploads.max_file_mb`` before it is decoded (strictly), it is written to a
temporary file, must really be a PDF, and is stored quarantined until the virus scan
calls it clean: from then on it is made available to the applicant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, JSONBody

from app.api.idempotency import IdempotencyKey
from app.api.problems import problems
from app.api.scopes import READ, WRITE
from app.errors import problem
from app.files import record
from app.files.accept import Base64Files, Recorded, Rules, TypeRefused, accept, pdf_only
from app.files.upload_stream import ReceivedUpload, TooLarge
from app.settings import Settings
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import (
    MAX_SUMMARY_LENGTH,
    DecisionView,
    decision_room_for_client,
    decisions_for_client,
    validate_summary,
)
from rooms.kernel.actors import MachineClient

MB = 1024 * 1024
JSON_AROUND = 64 * 1024
"""Room for the summary and the JSON around the encoded document."""

DeliveryStateOut = Literal[
    "scanning", "blocked", "awaiting", "retrieved", "retrieved_late", "not_retrieved"
]


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=255, description="File name, e.g. bescheid.pdf")
    ]
    content_base64: Annotated[
        str, msgspec.Meta(min_length=1, description="The PDF, base64-encoded (RFC 4648, padded)")
    ]


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    summary: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_SUMMARY_LENGTH,
            description="What was decided, in a few sentences; shown in the room",
        ),
    ]
    document: DocumentIn


class DocumentOut(msgspec.Struct):
    id: UUID
    name: str
    size: int
    sha256: str
    scan_state: Literal["pending", "clean", "infected"]


class DecisionOut(msgspec.Struct):
    """A decision and the facts that evidence its delivery (§9 OZG, §41 (2a) VwVfG)."""

    id: UUID
    seq: int
    summary: str
    source: Literal["room", "api"]
    created_at: datetime
    made_available_at: datetime | None
    """When the applicant could first retrieve the document (it scanned clean)."""
    retrieval_deadline: datetime | None
    """made_available_at + 10 days: not retrieved by then, the decision is not announced."""
    first_retrieved_at: datetime | None
    first_retrieved_by_role: Literal["applicant", "representative"] | None
    first_retrieved_sha256: str | None
    """SHA-256 of the bytes delivered at the first retrieval."""
    announced_on: date | None
    """The day after a timely first retrieval: when the decision counts as announced."""
    delivery_state: DeliveryStateOut
    document: DocumentOut


class DecisionList(msgspec.Struct):
    decisions: list[DecisionOut]


def decision_out(view: DecisionView, now: datetime) -> DecisionOut:
    doc = view.document
    return DecisionOut(
        id=view.id,
        seq=view.seq,
        summary=view.summary,
        source=view.source,  # type: ignore[arg-type]
        created_at=view.created_at,
        made_available_at=view.made_available_at,
        retrieval_deadline=view.retrieval_deadline,
        first_retrieved_at=view.first_retrieved_at,
        first_retrieved_by_role=view.first_retrieved_by_role or None,  # type: ignore[arg-type]
        first_retrieved_sha256=view.first_retrieved_sha256 or None,
        announced_on=view.announced_on,
        delivery_state=view.state(now),  # type: ignore[arg-type]
        document=DocumentOut(doc.id, doc.name, doc.size, doc.sha256, doc.scan_state),  # type: ignore[arg-type]
    )


def _max_encoded(settings: Settings) -> int:
    return (settings.uploads.max_file_mb * MB + 2) // 3 * 4


async def body_within_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A guard: refuse a body larger than one document allows before it is read."""
    settings: Settings = connection.app.state.settings
    declared = connection.headers.get("content-length")
    if declared is None:
        raise HTTPException(status_code=411, detail="Send the body with a Content-Length.")
    if not declared.isdigit() or int(declared) > _max_encoded(settings) + JSON_AROUND:
        raise HTTPException(status_code=413, detail="The request body is too large.")


def _document_problem(code: str) -> Response[Any]:
    kind, _, found = code.partition(":")
    if kind == "not_pdf":
        message = f"must be a PDF, but is {found} content"
    elif kind == "type_mismatch":
        message = f"is {found} content under a name that claims something else"
    else:
        message = "is not an acceptable document"
    return problem(
        422,
        "Unprocessable Content",
        f"The decision document {message}.",
        errors=[{"field": "document", "message": message}],
    )


@post(
    "/rooms/{room_id:str}/decisions",
    summary="Post a decision (Bescheid) with its PDF into the room",
    description=(
        "The document must be a PDF (decided by its content). It is quarantined until "
        "the virus scan calls it clean; then it is made available to the applicant "
        "(event `decision.made_available`). The applicant's first retrieval is recorded "
        "with the SHA-256 of the bytes delivered (event `decision.retrieved`). The room's "
        "progress becomes `decided`."
    ),
    status_code=201,
    guards=[WRITE, body_within_limit],
    request_max_body_size=None,  # bounded by body_within_limit from the settings
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def post_decision(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    data: JSONBody[DecisionIn],
    idempotency_key: IdempotencyKey = None,
) -> Response[DecisionOut]:
    settings: Settings = request.app.state.settings
    room = await decision_room_for_client(client, room_id)  # 404 / 409 before decoding
    validate_summary(data.summary)
    if len(data.document.content_base64) > _max_encoded(settings):
        raise HTTPException(status_code=413, detail="The document is too large.")
    rules = Rules(
        types=pdf_only,
        max_file=settings.uploads.max_file_mb * MB,
        max_files=1,
        required=True,
        field=lambda _: "document",
    )

    async def issue(
        received: ReceivedUpload, files: list[StoredFile]
    ) -> Recorded[record.IssuedDecision]:
        return await record.decision_by_client(client, room_id, data.summary, files)

    source = Base64Files([(data.document.name, data.document.content_base64)])
    try:
        issued = await accept(request.app, source, rules, room_id=room.id, record=issue)
    except TooLarge:
        raise HTTPException(status_code=413, detail="The document is too large.") from None
    except TypeRefused as exc:
        return _document_problem(exc.code)
    [view] = [d for d in await decisions_for_client(client, room.id) if d.id == issued.decision_id]
    return Response(decision_out(view, datetime.now(UTC)), status_code=201)


@get(
    "/rooms/{room_id:str}/decisions",
    summary="The room's decisions with the evidence of their delivery",
    description=(
        "Oldest first. `retrieval_deadline` is ten days after `made_available_at`; "
        "`delivery_state` says whether the decision counts as announced "
        "(`retrieved`), is still `awaiting` retrieval, or was `not_retrieved` in time "
        "(then announce it another way)."
    ),
    guards=[READ],
    responses=problems(401, 403, 404),
)
async def list_decisions(
    client: NamedDependency[MachineClient], room_id: FromPath[str]
) -> DecisionList:
    now = datetime.now(UTC)
    return DecisionList([decision_out(d, now) for d in await decisions_for_client(client, room_id)])
