"""Inserting a text template into the composer: a POST that works with and without htmx.

The composer's "Einfügen" button submits the composer form here (``formaction``): the
text typed so far and the chosen template come back with the filled-in template
appended. Nothing is stored; without JavaScript the room page is re-rendered with the
composer prefilled, with htmx only the composer is swapped.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from app.settings import Settings
from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.rooms import room_page_template
from app.web.workspace import composer_context
from rooms.casework.text_templates import fill_for_room
from rooms.kernel.access import access_room

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class InsertForm(msgspec.Struct):
    body: str = ""
    template: str = ""


def combined(typed: str, inserted: str) -> str:
    typed = typed.rstrip()
    return f"{typed}\n\n{inserted}" if typed else inserted


@post("/rooms/{room_id:str}/composer", include_in_schema=False, status_code=200)
async def insert_template(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[InsertForm, Form],
) -> Template:
    me = need_actor(request, actor)
    access = await access_room(me, room_id, staff_only=True)
    settings: Settings = request.app.state.settings
    extra: dict[str, Any]
    inserted = await fill_for_room(access, data.template) if data.template else None
    if inserted is None:  # nothing chosen, or deleted meanwhile: the text stays as it was
        body, extra, status_code = data.body, {"template_error": True}, 422
    else:
        body = combined(data.body, inserted)
        extra, status_code = {"inserted": True, "selected_template": data.template}, 200
    if is_htmx(request):
        return Template(
            "_composer.html",
            context={
                "actor": me,
                "room": access.room,
                "access": access,
                "form_body": body,
                "max_length": settings.messages.max_length,
                **extra,
                **await composer_context(access),
            },
            status_code=status_code,
        )
    return await room_page_template(
        request, me, room_id, status_code=status_code, form_body=body, **extra
    )
