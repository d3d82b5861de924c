"""The application's status in a room: progress set by the caseworker, and closing the room.

The applicant side sees the status but gets the same 404 as an outsider from these
routes. Closing asks for confirmation on a page of its own (works without JavaScript).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, need_actor
from app.web.rooms import room_page_template
from rooms.casework.lifecycle import check_close_room, check_set_progress
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class ProgressForm(msgspec.Struct):
    progress: str = ""


class CloseForm(msgspec.Struct):
    confirm: str = ""


@post("/rooms/{room_id:str}/status", include_in_schema=False, status_code=303)
async def set_status(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[ProgressForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    try:  # the applicant side gets the same 404 as outsiders from the gate
        await check_set_progress(me, room_id, data.progress)
    except Invalid:
        return await room_page_template(request, me, room_id, status_code=422, status_error=True)
    return Redirect(f"/rooms/{room_id}#status", status_code=303)


@get("/rooms/{room_id:str}/close", include_in_schema=False)
async def close_confirmation(
    request: Request[Any, Any, Any], room_id: FromPath[str], actor: MaybeActor
) -> Template | Redirect:
    me = need_actor(request, actor)
    access = await access_room(me, room_id, staff_only=True)
    if access.room.closed:
        return Redirect(f"/rooms/{room_id}", status_code=303)
    return Template("room_close.html", context={"actor": me, "room": access.room})


@post("/rooms/{room_id:str}/close", include_in_schema=False, status_code=303)
async def close_room(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[CloseForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    if data.confirm != "yes":
        access = await access_room(me, room_id, staff_only=True)
        return Template(
            "room_close.html",
            context={"actor": me, "room": access.room, "confirm_error": True},
            status_code=422,
        )
    await check_close_room(me, room_id)
    return Redirect(f"/rooms/{room_id}", status_code=303)
