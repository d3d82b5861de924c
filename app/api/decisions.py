"""Decisions through the machine API: the case store posts one, and reads the evidence.

The document travels base64-encoded in a small JSON body (its encoded length checked
against ``uploads.max_base64_mb`` and ``max_file_mb`` before it is decoded, strictly),
or as the ``document`` part of a streamed multipart/form-data body (``app.api.bodies``).
Either way it goes through ``app.files.accept``: it must really be a PDF, and is stored
quarantined until the virus scan calls it clean: from then on it is made available
to the applicant.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from app.api.bodies import (
    bad_multipart,
    binary,
    both_bodies,
    check_base64_total,
    form_errors,
    is_multipart,
    json_body,
    size_refusal,
)
from app.api.idempotency import IdempotencyKey, received_for_idempotency
from app.api.problems import problems
from app.api.scopes import READ, WRITE
from app.errors import problem
from app.files import record
from app.files.accept import (
    FORM_AROUND,
    Base64Files,
    Multipart,
    Rules,
    TypeRefused,
    accept,
    pdf_only,
)
from app.files.upload_stream import BadUpload, ReceivedUpload, TooLarge
from app.settings import Settings
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import (
    MAX_SUMMARY_LENGTH,
    IssuedDecision,
    room_decisions,
    validate_summary,
)
from rooms.casework.delivery import DecisionView
from rooms.kernel.access import access_room
from rooms.kernel.actors import MachineClient
from rooms.kernel.errors import Invalid

MB = 1024 * 1024

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


DECISION_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_SUMMARY_LENGTH,
            "description": "What was decided, in a few sentences; shown in the room",
        },
        "document": binary("application/pdf", "The PDF, as a file part with its filename"),
    },
    "required": ["summary", "document"],
    "additionalProperties": False,
}


@post(
    "/rooms/{room_id:str}/decisions",
    summary="Post a decision (Bescheid) with its PDF into the room",
    description=(
        "The document must be a PDF (decided by its content). It is quarantined until "
        "the virus scan calls it clean; then it is made available to the applicant "
        "(event `decision.made_available`). The applicant's first retrieval is recorded "
        "with the SHA-256 of the bytes delivered (event `decision.retrieved`). The room's "
        "progress becomes `decided`. The PDF travels base64 in a JSON body (at most "
        "`uploads.max_base64_mb`, 5 MB by default) or, up to `uploads.max_file_mb`, as "
        "`multipart/form-data`: a `summary` field and a `document` part, streamed."
    ),
    status_code=201,
    guards=[WRITE],
    request_max_body_size=None,  # read by the handler, within the upload settings
    operation_class=both_bodies(
        DecisionIn, DECISION_FORM, "The decision as JSON (a small base64 PDF) or as a form"
    ),
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def post_decision(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    idempotency_key: IdempotencyKey = None,
) -> Response[DecisionOut]:
    settings: Settings = request.app.state.settings
    max_file = settings.uploads.max_file_mb * MB
    rules = Rules(
        types=pdf_only,
        max_file=max_file,
        max_files=1,
        required=True,
        field=lambda _: "document",
    )
    try:
        if is_multipart(request):
            issued = await _post_form(request, client, room_id, rules)
        else:
            issued = await _post_json(request, client, room_id, rules)
    except TypeRefused as exc:
        if set(exc.errors) != {"document"}:
            raise
        return _document_problem(exc.code)
    except TooLarge as exc:
        raise size_refusal(exc, field="document", max_file=max_file, many=False) from None
    [view] = [d for d in await room_decisions(client, room_id) if d.id == issued.id]
    return Response(decision_out(view, datetime.now(UTC)), status_code=201)


async def _post_json(
    request: Request[Any, Any, Any], client: MachineClient, room_id: str, rules: Rules
) -> IssuedDecision:
    settings: Settings = request.app.state.settings
    data = await json_body(request, DecisionIn)
    # The gate before decoding: 404 / 409.
    room = (await access_room(client, room_id, writing=True, staff_only=True, case_store=True)).room
    validate_summary(data.summary)
    check_base64_total(settings, [data.document.content_base64])
    if len(data.document.content_base64) > _max_encoded(settings):
        raise HTTPException(status_code=413, detail="The document is too large.")

    async def issue(received: ReceivedUpload, files: list[StoredFile]) -> IssuedDecision:
        return await record.decision(client, room_id, data.summary, files)

    source = Base64Files([(data.document.name, data.document.content_base64)])
    try:
        return await accept(request.app, source, rules, room_id=room.id, record=issue)
    except TooLarge:
        raise HTTPException(status_code=413, detail="The document is too large.") from None


async def _post_form(
    request: Request[Any, Any, Any], client: MachineClient, room_id: str, rules: Rules
) -> IssuedDecision:
    """The decision as multipart/form-data: streamed, at the browser's limit for a document."""
    # The gate before reading a byte of the body.
    room = (await access_room(client, room_id, writing=True, staff_only=True, case_store=True)).room
    rules = replace(rules, max_body=rules.max_file + FORM_AROUND)
    form: dict[str, str] = {}

    def check_form(received: ReceivedUpload) -> dict[str, str]:
        errors = form_errors(received, text={"summary"}, files={"document"}, required={"summary"})
        form["summary"] = received.fields.get("summary", "")
        if "summary" not in errors:
            try:
                validate_summary(form["summary"])
            except Invalid as exc:
                errors.update(exc.errors)
        return errors

    async def issue(received: ReceivedUpload, files: list[StoredFile]) -> IssuedDecision:
        return await record.decision(client, room_id, form["summary"], files)

    try:
        return await accept(
            request.app,
            Multipart.of(request),
            rules,
            room_id=room.id,
            record=issue,
            check_fields=check_form,
            on_received=received_for_idempotency(request),
        )
    except BadUpload:
        raise bad_multipart() from None


@get(
    "/rooms/{room_id:str}/decisions",
    summary="The room's decisions with the evidence of their delivery",
    description=(
        "Oldest first. `retrieval_deadline` is the end of the tenth calendar day "
        "(Europe/Berlin) after the day of `made_available_at`; "
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
    return DecisionList([decision_out(d, now) for d in await room_decisions(client, room_id)])
