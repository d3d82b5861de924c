"""A room's timeline through the machine API: reading it, posting as the authority, files.

Files arrive base64-encoded in the JSON body. Each is decoded to a temporary file and
then goes through exactly the checks of a browser upload (``rooms.files.filetypes.verify``:
the real type by its bytes against the allow-list, the ZIP rules); the room's storage
limit is checked in the domain. Stored files start ``pending`` and are downloadable
only once the virus scanner has found them clean.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
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
from app.downloads import attachment_response, open_attachment
from app.settings import Settings
from app.storage.staging import StagedFiles, staged_files
from app.web.upload_stream import temp_dir
from rooms.casework.attachments import AttachmentView, attachments_by_message, room_usage
from rooms.casework.posting import check_post_message
from rooms.casework.timeline import timeline
from rooms.files.filenames import display_name
from rooms.files.filetypes import ZipLimits, verify
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
    access = await access_room(client, room_id)
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


async def _limit_body(request: Request[Any, Any, Any]) -> None:
    """Before the body is read: its declared length against the upload settings."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(status_code=411, detail="Send the body with a Content-Length.")
    if int(length) > body_limit(request.app.state.settings):
        raise _too_large("The request body is too large.")


def _too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=413, detail=detail)


def _decode(file: FileIn, index: int, max_file: int) -> bytes:
    if len(file.content_base64) > (max_file + 2) // 3 * 4 + 4:
        raise _too_large(f"attachments[{index}] is larger than {max_file // MB} MB.")
    try:
        content = base64.b64decode(file.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid({f"attachments[{index}].content_base64": "invalid"}) from None
    if len(content) > max_file:
        raise _too_large(f"attachments[{index}] is larger than {max_file // MB} MB.")
    return content


async def _stage(request: Request[Any, Any, Any], staged: StagedFiles, files: list[FileIn]) -> None:
    """Decode, check and stage every file (the caller's block removes them on refusal)."""
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    for index, file in enumerate(files):
        content = _decode(file, index, limits.max_file_mb * MB)
        name = display_name(file.name)
        fd, temp = tempfile.mkstemp(prefix="upload-", dir=temp_dir(settings.data_path))
        path = Path(temp)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            try:
                detected = verify(
                    path,
                    claimed_name=name,
                    claimed_type=None,
                    allow_zip=limits.allow_zip,
                    limits=ZipLimits(allow_office_embeddings=True),
                )
            except Invalid as exc:
                code = next(iter(exc.errors.values()))
                raise Invalid({f"attachments[{index}]": code}) from None
            digest = hashlib.sha256(content).hexdigest()
            await staged.adopt(path, name, detected.mime, len(content), digest)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)


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
    # The gate before storing a byte, and before judging the input (a refused client
    # learns nothing from a 422 either).
    room = (await access_room(client, room_id, writing=True)).room
    if len(data.attachments) > limits.max_files:
        raise Invalid({"attachments": "too_many"})
    if data.attachments:
        declared = sum(len(f.content_base64) for f in data.attachments) * 3 // 4
        if declared > limits.max_room_mb * MB - await room_usage(room.id):
            raise Invalid({"attachments": "room_limit"})
    async with staged_files(request.app.state.storage, room.id) as staged:
        await _stage(request, staged, data.attachments)
        posted = await check_post_message(
            client,
            room_id,
            data.body,
            staged.files,
            room_limit=limits.max_room_mb * MB,
            max_length=settings.messages.max_length,
        )
    files = [
        AttachmentOut(i, f.name, f.mime, f.size, f.sha256, "pending")
        for i, f in zip(posted.attachment_ids, staged.files, strict=True)
    ]
    return Response(PostedOut(posted.id, posted.seq, files), status_code=201)


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
    _, file = await access_attachment(client, attachment_id, room_id=room_id)
    stream = await open_attachment(request.app.state.storage, file)
    return attachment_response(stream, file)
