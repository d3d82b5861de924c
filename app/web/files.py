"""Uploads into a room and downloads out of it, each through the access gate first."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from app.files.csrf import require_csrf
from app.files.downloads import attachment_response, open_attachment
from app.files.staging import staged_files
from app.files.upload_stream import BadUpload, TooLarge, receive, temp_dir
from app.publish import publish
from app.scanner import wake_scanner
from app.settings import Settings
from app.storage import Storage
from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.decisions import track_retrieval
from app.web.rooms import room_page_template
from rooms.casework.attachments import access_attachment, check_add_upload, room_usage
from rooms.files.filenames import display_name
from rooms.files.filetypes import ZipLimits, verify
from rooms.kernel.access import access_room_for_writing
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import Side

MB = 1024 * 1024
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@post(
    "/rooms/{room_id:str}/uploads",
    include_in_schema=False,
    status_code=303,
    exclude_from_csrf=True,  # checked by require_csrf before the body is read
    request_max_body_size=None,  # limits are enforced while streaming, per file and room
)
async def upload(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    item: FromQuery[str | None] = None,
) -> Redirect | Template | Response[str]:
    me = need_actor(request, actor)
    require_csrf(request)
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    access = await access_room_for_writing(me, room_id)  # before reading a byte
    if access.side is not Side.applicant:
        raise NotFound()
    room_left = limits.max_room_mb * MB - await room_usage(access.room.id)
    declared = int(request.headers.get("content-length") or 0)
    if declared > min(limits.max_file_mb * MB * limits.max_files, room_left) + 64 * 1024:
        return await _refused(request, me, room_id, 413, "too_large")
    try:
        received = await receive(
            request.headers.get("content-type", ""),
            request.stream(),
            directory=temp_dir(settings.data_path),
            max_file=min(limits.max_file_mb * MB, max(room_left, 0)),
            max_files=limits.max_files,
        )
    except TooLarge:
        return await _refused(request, me, room_id, 413, "too_large")
    except BadUpload:
        return await _refused(request, me, room_id, 400, "bad_upload")
    storage: Storage = request.app.state.storage
    try:
        if not received.files:
            return await _refused(request, me, room_id, 422, "empty")
        async with staged_files(storage, access.room.id) as staged:
            for file in received.files:
                name = display_name(file.name)
                detected = verify(
                    file.path,
                    claimed_name=name,
                    claimed_type=file.claimed_type,
                    allow_zip=limits.allow_zip,
                    # Word and Excel keep a chart's data as an embedded workbook.
                    limits=ZipLimits(allow_office_embeddings=True),
                )
                await staged.adopt(file.path, name, detected.mime, file.size, file.sha256)
            events, _ = await check_add_upload(
                me,
                room_id,
                staged.files,
                item_id=item or received.fields.get("item") or None,
                room_limit=limits.max_room_mb * MB,
            )
    except Invalid as exc:  # nothing recorded, and nothing stays stored
        return await _refused(request, me, room_id, 422, next(iter(exc.errors.values())))
    finally:
        received.discard()
    publish(request.app, events)
    wake_scanner(request.app)
    seq = events[0].seq  # type: ignore[union-attr]
    if is_htmx(request):
        return Response("", status_code=204)
    return Redirect(f"/rooms/{room_id}#item-{seq}", status_code=303)


async def _refused(
    request: Request[Any, Any, Any], me: Any, room_id: str, status: int, code: str
) -> Template:
    if is_htmx(request):
        return Template("_upload_error.html", context={"code": code}, status_code=status)
    # The whole page, with the reason next to the file input.
    return await room_page_template(request, me, room_id, status_code=status, upload_error=code)


@get("/rooms/{room_id:str}/attachments/{attachment_id:str}", include_in_schema=False)
async def download(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    attachment_id: FromPath[str],
    actor: MaybeActor,
    inline: FromQuery[bool] = False,
) -> Stream:
    me = need_actor(request, actor)
    file = await access_attachment(me, attachment_id)
    if str(file.room_id) != room_id:
        raise NotFound()
    stream = await open_attachment(request.app.state.storage, file)
    stream = await track_retrieval(request.app, me, file, stream)  # a decision's evidence
    return attachment_response(stream, file, inline=inline and file.mime in INLINE_TYPES)
