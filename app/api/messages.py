"""A room's timeline through the machine API: reading it, posting as the authority, files.

Files arrive base64-encoded in the JSON body. Each is decoded to a temporary file and
then goes through exactly the checks of a browser upload (``rooms.files.filetypes.verify``:
the real type by its bytes against the allow-list, the ZIP rules); the room's storage
limit is checked in the domain. Stored files start ``pending`` and are downloadable
only once the virus scanner has found them clean.
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
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from app.api.idempotency import IdempotencyKey, body_limit
from app.api.problems import problems
from app.api.scopes import READ, WRITE
from app.files import record
from app.files.accept import Base64Files, Recorded, Rules, accept, attachment_types
from app.files.downloads import attachment_response, open_attachment
from app.files.upload_stream import ReceivedUpload, TooLarge
from app.settings import Settings
from rooms.casework.attachments import (
    AttachmentView,
    StoredFile,
    access_attachment_for_client,
    attachments_by_message,
    room_usage,
)
from rooms.casework.timeline import timeline
from rooms.kernel.access import access_room_for_client, access_room_for_client_writing
from rooms.kernel.actors import MachineClient
from rooms.kernel.errors import Invalid
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Side

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
    attachments: list[FileIn] = []


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
    room = await access_room_for_client(client, room_id)
    access = RoomAccess(room, Side.authority, None)
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


async def _limit_body(request: Request[Any, Any, Any]) -> None:
    """Before the body is read: its declared length against the upload settings."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(status_code=411, detail="Send the body with a Content-Length.")
    if int(length) > body_limit(request.app.state.settings):
        raise _too_large("The request body is too large.")


def _too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=413, detail=detail)


def _attachment_field(index: int) -> str:
    return f"attachments[{index}]"


@post(
    "/rooms/{room_id:str}/messages",
    summary="Post a message as the authority, optionally with files",
    description=(
        "The message appears in the room as written by the authority. Files are "
        "checked like a browser upload (real type by content, allow-list, limits) "
        "and start with `scan_state` `pending`."
    ),
    status_code=201,
    guards=[WRITE],
    request_max_body_size=None,  # files are base64 in the body: limited by the settings
    before_request=_limit_body,
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def post_message(
    request: Request[Any, Any, Any],
    client: NamedDependency[MachineClient],
    room_id: FromPath[str],
    data: JSONBody[MessageIn],
    idempotency_key: IdempotencyKey = None,
) -> Response[PostedOut]:
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    if len(data.attachments) > limits.max_files:
        raise Invalid({"attachments": "too_many"})
    room = await access_room_for_client_writing(client, room_id)  # before storing a byte
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

    async def post_it(
        received: ReceivedUpload, files: list[StoredFile]
    ) -> Recorded[record.PostedMessage]:
        return await record.message_by_client(
            client,
            room_id,
            data.body,
            files,
            room_limit=limits.max_room_mb * MB,
            max_length=settings.messages.max_length,
        )

    source = Base64Files([(f.name, f.content_base64) for f in data.attachments])
    try:
        posted = await accept(request.app, source, rules, room_id=room.id, record=post_it)
    except TooLarge as exc:
        raise _too_large(f"attachments[{exc.index}] is larger than {max_file // MB} MB.") from None
    return Response(_posted(posted), status_code=201)


def _posted(posted: record.PostedMessage) -> PostedOut:
    files = [
        AttachmentOut(i, f.name, f.mime, f.size, f.sha256, "pending")
        for i, f in zip(posted.attachment_ids, posted.files, strict=True)
    ]
    return PostedOut(posted.message_id, posted.seq, files)


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
    file = await access_attachment_for_client(client, room_id, attachment_id)
    stream = await open_attachment(request.app.state.storage, file)
    return attachment_response(stream, file)
