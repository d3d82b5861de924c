"""Decisions in the room: the caseworker's form, and recording the first retrieval.

``POST /rooms/{id}/decisions`` is a multipart upload like ``/uploads``: the gate and a
CSRF token sent as a header are checked before a byte of the body is read (a plain
form's token, its first field, before any file part is taken: ``app.files.csrf``),
then ``app.files.accept`` streams the document to a temporary file (hashed on the
way), requires a real PDF, and stores it before the decision is recorded. Downloads of
a decision's document by the applicant's side go through ``track_retrieval``, which
hashes the bytes while they are streamed and records the first complete retrieval
afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.files import record
from app.files.accept import FORM_AROUND, Multipart, Rules, accept, pdf_only
from app.files.csrf import require_csrf
from app.files.upload_stream import BadUpload, ReceivedUpload, TooLarge
from app.rate_limits import rate_limited
from app.settings import Settings
from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.rooms import room_page_template
from rooms.casework.attachments import AttachmentView, StoredFile
from rooms.casework.decisions import (
    MAX_SUMMARY_LENGTH,
    IssuedDecision,
    check_record_retrieval,
    first_retrieval,
    validate_summary,
)
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.errors import Invalid

MB = 1024 * 1024


@post(
    "/rooms/{room_id:str}/decisions",
    include_in_schema=False,
    status_code=303,
    exclude_from_csrf=True,  # checked by require_csrf before the body is read
    guards=[rate_limited("uploads_per_person", "uploads_per_room")],
    request_max_body_size=None,  # the document's limit is enforced while streaming
)
async def issue_decision(
    request: Request[Any, Any, Any], room_id: FromPath[str], actor: MaybeActor
) -> Redirect | Template:
    me = need_actor(request, actor)
    token_part = require_csrf(request)  # the header now, or the form's first field
    settings: Settings = request.app.state.settings
    max_file = settings.uploads.max_file_mb * MB
    # The gate before reading a byte of the body.
    access = await access_room(me, room_id, writing=True, staff_only=True)
    rules = Rules(
        types=pdf_only,
        max_file=max_file,
        max_files=1,
        max_body=max_file + FORM_AROUND,
        required=True,
        field=lambda _: "document",
    )
    form: dict[str, str] = {}

    def check_summary(received: ReceivedUpload) -> dict[str, str]:
        form["summary"] = received.fields.get("summary", "")
        try:
            validate_summary(form["summary"])
        except Invalid as exc:
            return exc.errors
        return {}

    async def issue(received: ReceivedUpload, files: list[StoredFile]) -> IssuedDecision:
        return await record.decision(me, room_id, form["summary"], files)

    try:
        issued = await accept(
            request.app,
            Multipart.of(request, token_part),
            rules,
            room_id=access.room.id,
            record=issue,
            check_fields=check_summary,
        )
    except TooLarge:
        return await _refused(request, me, room_id, 413, {"document": "too_large"}, "")
    except BadUpload:
        return await _refused(request, me, room_id, 400, {"document": "bad_upload"}, "")
    except Invalid as exc:  # nothing recorded, and nothing stays stored
        return await _refused(request, me, room_id, 422, exc.errors, form.get("summary", ""))
    if is_htmx(request):
        return Template(
            "_decision_form.html",
            context={"room": access.room, "decision_issued": True, **_limits(settings)},
        )
    return Redirect(f"/rooms/{room_id}#item-{issued.seq}", status_code=303)


def _limits(settings: Settings) -> dict[str, Any]:
    return {
        "decision_summary_max": MAX_SUMMARY_LENGTH,
        "decision_max_mb": settings.uploads.max_file_mb,
    }


async def _refused(
    request: Request[Any, Any, Any],
    me: Actor,
    room_id: str,
    status: int,
    errors: dict[str, str],
    summary: str,
) -> Template:
    """The form again, with the reasons and the summary as typed."""
    settings: Settings = request.app.state.settings
    form = {"decision_errors": errors, "decision_summary": summary, **_limits(settings)}
    if is_htmx(request):
        access = await access_room(me, room_id, writing=True, staff_only=True)
        return Template(
            "_decision_form.html", context={"room": access.room, **form}, status_code=status
        )
    return await room_page_template(request, me, room_id, status_code=status, **form)


async def track_retrieval(
    actor: Actor, document: AttachmentView, stream: AsyncIterator[bytes]
) -> AsyncIterator[bytes]:
    """``stream``, recording the applicant side's first complete retrieval of a decision.

    The bytes are hashed as they are sent; only a download that delivered the whole
    file is recorded, with the SHA-256 of exactly what was delivered. Any other
    download gets ``stream`` back unchanged.
    """
    retrieval = await first_retrieval(actor, document)
    if retrieval is None:
        return stream

    async def hashed() -> AsyncIterator[bytes]:
        digest = hashlib.sha256()
        try:
            async for chunk in stream:
                digest.update(chunk)
                yield chunk
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        await check_record_retrieval(actor, retrieval, digest.hexdigest())

    return hashed()
