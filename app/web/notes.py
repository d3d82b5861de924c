"""Internal notes of a room: staff of the room's authority only (the same 404 for all others)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.rooms import room_page_template
from rooms.casework.notes import MAX_NOTE_LENGTH, check_add_note, room_notes
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class NoteForm(msgspec.Struct):
    note: str = ""


async def _fragment(me: Any, room_id: str, status_code: int = 200, **extra: Any) -> Template:
    access = await access_room(me, room_id, staff_only=True)
    return Template(
        "_notes.html",
        context={
            "actor": me,
            "access": access,
            "room": access.room,
            "notes": await room_notes(access.room.id),
            "note_max_length": MAX_NOTE_LENGTH,
            **extra,
        },
        status_code=status_code,
    )


@get("/rooms/{room_id:str}/notes", include_in_schema=False)
async def notes_fragment(
    request: Request[Any, Any, Any], room_id: FromPath[str], actor: MaybeActor
) -> Template:
    """The notes panel alone (htmx refresh)."""
    return await _fragment(need_actor(request, actor), room_id)


@post("/rooms/{room_id:str}/notes", include_in_schema=False, status_code=303)
async def add_note(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[NoteForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    try:
        await check_add_note(me, room_id, data.note)
    except Invalid as exc:
        error = exc.errors.get("note", "empty")
        if is_htmx(request):
            return await _fragment(me, room_id, 422, note_error=error, note_form=data.note)
        return await room_page_template(
            request, me, room_id, status_code=422, note_error=error, note_form=data.note
        )
    if is_htmx(request):
        return await _fragment(me, room_id, 200, note_saved=True)
    return Redirect(f"/rooms/{room_id}#notizen", status_code=303)
