"""A room's timeline through the machine API: reading it, posting as the authority, files.

Files arrive base64-encoded in a small JSON body, or as the parts of a streamed
multipart/form-data body (``app.api.bodies``). Either way they go through
``app.files.accept``, the pipeline of the browser uploads: the real type by its bytes
against the allow-list, the ZIP rules, the limits; the room's storage limit is
checked in the domain too. Stored files start ``pending`` and are downloadable only
once the virus scanner has found them clean.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from app.api.bodies import (
    bad_multipart,
    binary,
    both_bodies,
    check_base64_total,
    form_errors,
    is_multipart,
    json_body,
    max_field,
    size_refusal,
)
from app.api.idempotency import IdempotencyKey, received_for_idempotency
from app.api.problems import problems
from app.api.scopes import READ, WRITE
from app.files import record
from app.files.accept import (
    FORM_AROUND,
    Base64Files,
    Multipart,
    Rules,
    accept,
    attachment_types,
)
from app.files.downloads import attachment_response, open_attachment
from app.files.upload_stream import BadUpload, ReceivedUpload, TooLarge
from app.settings import Settings
from rooms.casework.attachments import (
    AttachmentView,
    StoredFile,
    attachments_by_message,
    room_usage,
)
from rooms.casework.timeline import PostedItem, timeline
from rooms.kernel.access import access_attachment, access_room
from rooms.kernel.actors import MachineClient
from rooms.kernel.errors import Invalid

MB = 1024 * 1024
MAX_SEQ = 2**31 - 1


class AttachmentOut(msgspec.Struct):
    id: UUID
    name: str
    mime: str
    size: int
    sha256: str
    scan_state: Literal["pending", "clean", "infected"]
    """Only ``clean`` files can be downloaded."""


class ItemOut(msgspec.Struct):
    id: UUID
    seq: int
    kind: Literal["message", "request", "upload", "decision"]
    side: Literal["applicant", "authority"]
    author_name: str
    on_behalf_of: str
    """For whom an applicant-side author acted (empty: for themselves)."""
    body: str
    created_at: datetime
    read_by_other_side_at: datetime | None
    attachments: list[AttachmentOut]


class Timeline(msgspec.Struct):
    items: list[ItemOut]
    next_after: int
    """Pass as ``after`` to continue (the same value when nothing new)."""


class FileIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    content_base64: str
    """The file's bytes, base64 (RFC 4648, with padding)."""


class MessageIn(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(min_length=1)]
    attachments: Annotated[
        list[FileIn],
        msgspec.Meta(
            description=(
                "Small files, base64: at most 5 MB together (`uploads.max_base64_mb`); "
                "send larger ones as multipart/form-data"
            )
        ),
    ] = []


class PostedOut(msgspec.Struct):
    id: UUID
    seq: int
    attachments: list[AttachmentOut]


def _attachment(view: AttachmentView) -> AttachmentOut:
    return AttachmentOut(
        view.id,
        view.name,
        view.mime,
        view.size,
        view.sha256,
        view.scan_state,  # type: ignore[arg-type]
    )


@get(
    "/rooms/{room_id:str}/messages",
    summary="Read the room's timeline after a sequence number, oldest first",
    guards=[READ],
    responses=problems(401, 403, 404, 422),
)
async def read_messages(
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_SEQ, description="The last seq you have")
    ] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 100,
) -> Timeline:
    access = await access_room(client, room_id, case_store=True)
    room = access.room
    # Sequence numbers are 32-bit: a window beyond the largest one would overflow it.
    items = await timeline(access, after_seq=after, until_seq=min(after + limit, MAX_SEQ))
    files = await attachments_by_message(room.id) if items else {}
    out = [
        ItemOut(
            id=i.id,
            seq=i.seq,
            kind=i.kind,  # type: ignore[arg-type]
            side=i.side.value,
            author_name=i.author_name,
            on_behalf_of=i.on_behalf_of,
            body=i.body,
            created_at=i.created_at,
            read_by_other_side_at=i.read_by_other_at,
            attachments=[_attachment(a) for a in files.get(i.id, [])],
        )
        for i in items
    ]
    return Timeline(out, out[-1].seq if out else after)


def _attachment_field(index: int) -> str:
    return f"attachments[{index}]"


MESSAGE_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "body": {"type": "string", "minLength": 1, "description": "The message"},
        "attachments": {
            "type": "array",
            "items": binary("application/octet-stream", "A file, with its name"),
            "description": (
                "The files: one part each, named `attachments`, with a filename (and "
                "its Content-Type, if known)"
            ),
        },
    },
    "required": ["body"],
    "additionalProperties": False,
}


@post(
    "/rooms/{room_id:str}/messages",
    summary="Post a message as the authority, optionally with files",
    description=(
        "The message appears in the room as written by the authority. Files are "
        "checked like a browser upload (real type by content, allow-list, limits) "
        "and start with `scan_state` `pending`. Small files may travel base64 in a "
        "JSON body (at most `uploads.max_base64_mb`, 5 MB by default, together); any "
        "file, up to the browser uploads' limits, travels as `multipart/form-data`: "
        "a `body` field and one `attachments` part per file, streamed."
    ),
    status_code=201,
    guards=[WRITE],
    request_max_body_size=None,  # read by the handler, within the upload settings
    operation_class=both_bodies(
        MessageIn, MESSAGE_FORM, "The message as JSON (small base64 files) or as a form"
    ),
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def post_message(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    idempotency_key: IdempotencyKey = None,
) -> Response[PostedOut]:
    if is_multipart(request):
        posted, stored = await _post_form(request, client, room_id)
    else:
        posted, stored = await _post_json(request, client, room_id)
    files = [
        AttachmentOut(i, f.name, f.mime, f.size, f.sha256, "pending")
        for i, f in zip(posted.attachment_ids, stored, strict=True)
    ]
    return Response(PostedOut(posted.id, posted.seq, files), status_code=201)


Posted = tuple[PostedItem, list[StoredFile]]
"""The new item, and the files stored with it (the answer lists them)."""


async def _post_json(
    request: Request[Any, Any, Any], client: MachineClient, room_id: str
) -> Posted:
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    data = await json_body(request, MessageIn)
    # The gate before storing a byte, and before judging the input (a refused client
    # learns nothing from a 422 either).
    room = (await access_room(client, room_id, writing=True, case_store=True)).room
    if len(data.attachments) > limits.max_files:
        raise Invalid({"attachments": "too_many"})
    check_base64_total(settings, (f.content_base64 for f in data.attachments))
    if data.attachments:
        declared = sum(len(f.content_base64) for f in data.attachments) * 3 // 4
        if declared > limits.max_room_mb * MB - await room_usage(room.id):
            raise Invalid({"attachments": "room_limit"})
    max_file = limits.max_file_mb * MB
    rules = Rules(
        types=attachment_types(allow_zip=limits.allow_zip),
        max_file=max_file,
        max_files=limits.max_files,
        field=_attachment_field,
    )

    async def post_it(received: ReceivedUpload, files: list[StoredFile]) -> Posted:
        posted = await record.message(
            client,
            room_id,
            data.body,
            files,
            room_limit=limits.max_room_mb * MB,
            max_length=settings.messages.max_length,
        )
        return posted, files

    source = Base64Files([(f.name, f.content_base64) for f in data.attachments])
    try:
        return await accept(request.app, source, rules, room_id=room.id, record=post_it)
    except TooLarge as exc:
        raise HTTPException(
            status_code=413, detail=f"attachments[{exc.index}] is larger than {max_file // MB} MB."
        ) from None


async def _post_form(
    request: Request[Any, Any, Any], client: MachineClient, room_id: str
) -> Posted:
    """The message as multipart/form-data: streamed, at the browser uploads' limits."""
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    # The gate before reading a byte of the body.
    room = (await access_room(client, room_id, writing=True, case_store=True)).room
    room_left = max(limits.max_room_mb * MB - await room_usage(room.id), 0)
    max_file = limits.max_file_mb * MB
    around = max_field(settings) + FORM_AROUND
    rules = Rules(
        types=attachment_types(allow_zip=limits.allow_zip),
        max_file=max_file,
        max_files=limits.max_files,
        max_body=max_file * limits.max_files + around,
        max_total=room_left,
        around=around,
        max_field=max_field(settings),
        field=_attachment_field,
    )

    def check_form(received: ReceivedUpload) -> dict[str, str]:
        return form_errors(received, text={"body"}, files={"attachments"}, required={"body"})

    async def post_it(received: ReceivedUpload, files: list[StoredFile]) -> Posted:
        posted = await record.message(
            client,
            room_id,
            received.fields["body"],
            files,
            room_limit=limits.max_room_mb * MB,
            max_length=settings.messages.max_length,
        )
        return posted, files

    try:
        return await accept(
            request.app,
            Multipart.of(request),
            rules,
            room_id=room.id,
            record=post_it,
            check_fields=check_form,
            on_received=received_for_idempotency(request),
        )
    except TooLarge as exc:
        raise size_refusal(exc, field="attachments", max_file=max_file, many=True) from None
    except BadUpload:
        raise bad_multipart() from None


@get(
    "/rooms/{room_id:str}/attachments/{attachment_id:str}",
    summary="Download a file of the room (only once the virus scan found it clean)",
    guards=[READ],
    media_type="application/octet-stream",
    responses={
        200: ResponseSpec(
            bytes, description="The file, as an attachment", media_type="application/octet-stream"
        ),
        **problems(401, 403, 404, 409),
    },
)
async def download_attachment(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    attachment_id: FromPath[str],
) -> Stream:
    _, file = await access_attachment(client, attachment_id, room_id=room_id, case_store=True)
    stream = await open_attachment(request.app.state.storage, file)
    return attachment_response(stream, file)
