"""Uploads into a room and downloads out of it, each through the access gate first."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from app.files import record
from app.files.accept import FORM_AROUND, Multipart, Rules, accept, attachment_types
from app.files.csrf import require_csrf
from app.files.downloads import attachment_response, open_attachment
from app.files.upload_stream import BadUpload, ReceivedUpload, TooLarge
from app.rate_limits import rate_limited
from app.settings import Settings
from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.decisions import track_retrieval
from app.web.rooms import room_page_template
from rooms.casework.attachments import StoredFile, room_usage
from rooms.casework.timeline import PostedItem
from rooms.kernel.access import access_attachment, access_room
from rooms.kernel.errors import Invalid
from rooms.kernel.vocabulary import Side

MB = 1024 * 1024


@post(
    "/rooms/{room_id:str}/uploads",
    include_in_schema=False,
    status_code=303,
    exclude_from_csrf=True,  # checked by require_csrf before the body is read
    guards=[rate_limited("uploads_per_person", "uploads_per_room")],
    request_max_body_size=None,  # limits are enforced while streaming, per file and room
)
async def upload(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    item: FromQuery[str | None] = None,
) -> Redirect | Template | Response[str]:
    me = need_actor(request, actor)
    token_part = require_csrf(request)  # the header now, or the form's first field
    settings: Settings = request.app.state.settings
    limits = settings.uploads
    # The gate before reading a byte of the body.
    access = await access_room(me, room_id, writing=True, side=Side.applicant)
    room_left = limits.max_room_mb * MB - await room_usage(access.room.id)
    rules = Rules(
        types=attachment_types(allow_zip=limits.allow_zip),
        max_file=min(limits.max_file_mb * MB, max(room_left, 0)),
        max_files=limits.max_files,
        max_body=min(limits.max_file_mb * MB * limits.max_files, room_left) + FORM_AROUND,
        required=True,
    )

    async def add_upload(received: ReceivedUpload, files: list[StoredFile]) -> PostedItem:
        item_id = item or received.fields.get("item") or None
        room_limit = limits.max_room_mb * MB
        return await record.upload(me, room_id, files, item_id=item_id, room_limit=room_limit)

    try:
        posted = await accept(
            request.app,
            Multipart.of(request, token_part),
            rules,
            room_id=access.room.id,
            record=add_upload,
        )
    except TooLarge:
        return await _refused(request, me, room_id, 413, "too_large")
    except BadUpload:
        return await _refused(request, me, room_id, 400, "bad_upload")
    except Invalid as exc:  # nothing recorded, and nothing stays stored
        return await _refused(request, me, room_id, 422, next(iter(exc.errors.values())))
    if is_htmx(request):
        return Response("", status_code=204)
    return Redirect(f"/rooms/{room_id}#item-{posted.seq}", status_code=303)


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
) -> Stream:
    me = need_actor(request, actor)
    _, file = await access_attachment(me, attachment_id, room_id=room_id)
    stream = await open_attachment(request.app.state.storage, file)
    stream = await track_retrieval(me, file, stream)  # a decision's evidence
    return attachment_response(stream, file)  # never inline: see app.files.downloads
