"""Assigning a room to a caseworker or a team, with an optional hand-over note."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, need_actor
from app.web.rooms import room_page_template
from rooms.casework.assignment import check_assign
from rooms.kernel.errors import Invalid

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class AssignmentForm(msgspec.Struct):
    assignee: str = ""
    team: str = ""
    note: str = ""


@post("/rooms/{room_id:str}/assignment", include_in_schema=False, status_code=303)
async def assign(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[AssignmentForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    try:
        await check_assign(me, room_id, assignee=data.assignee, team=data.team, note=data.note)
    except Invalid as exc:
        return await room_page_template(
            request,
            me,
            room_id,
            status_code=422,
            assignment_errors=exc.errors,
            assignment_form=msgspec.structs.asdict(data),
        )
    return Redirect(f"/rooms/{room_id}#zuweisung", status_code=303)
