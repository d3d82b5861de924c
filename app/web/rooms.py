"""The room page, its timeline and its composer."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.csrf import viewer_token
from app.identity.drafts import keep_draft, take_draft
from app.rate_limits import rate_limited
from app.settings import Settings
from app.web.context import MaybeActor, is_htmx, need_actor
from app.web.timeline import timeline_context
from app.web.workspace import composer_context, workspace_context
from rooms.casework.posting import check_post_message
from rooms.casework.representatives import can_manage_representatives, participants
from rooms.casework.timeline import check_mark_read, timeline
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.errors import Invalid, RoomClosed
from rooms.kernel.records import RoomAccess
from rooms.outbound.notify.warnings import notification_warnings, unreachable_applicants


class MessageForm(msgspec.Struct):
    body: str = ""


async def _room_context(access: RoomAccess, actor: Actor, **extra: Any) -> dict[str, Any]:
    return {
        "actor": actor,
        "access": access,
        "room": access.room,
        "participants": await participants(access.room.id),
        "can_manage": can_manage_representatives(access),
        **await timeline_context(access.room.id),
        **await workspace_context(access),
        "notification_warnings": await notification_warnings(access),
        "unreachable_applicants": await unreachable_applicants(access),
        **extra,
    }


async def room_page_template(
    request: Request[Any, Any, Any],
    me: Actor,
    room_id: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    """The whole room page; forms that fail without JavaScript re-render it with errors."""
    access = await access_room(me, room_id)
    items = await timeline(access)
    if items:
        await check_mark_read(me, room_id, items[-1].seq)
    extra.setdefault("form_body", "")
    settings: Settings = request.app.state.settings
    # What the live socket passes too.
    extra.setdefault("csrf", viewer_token(request, request.app.state.secret)[0])
    context = await _room_context(
        access, me, items=items, max_length=settings.messages.max_length, **extra
    )
    return Template("room.html", context=context, status_code=status_code)


async def _composer(me: Actor, room_id: str, status_code: int, **form: Any) -> Template:
    """Only the composer fragment: it needs the room, not the timeline or participants."""
    access = await access_room(me, room_id)
    return Template(
        "_composer.html",
        context={"actor": me, "room": access.room, **await composer_context(access), **form},
        status_code=status_code,
    )


@get("/rooms/{room_id:str}", include_in_schema=False, name="room")
async def room_page(
    request: Request[Any, Any, Any], room_id: FromPath[str], actor: MaybeActor
) -> Template:
    me = need_actor(request, actor)
    if (draft := take_draft(request, f"/rooms/{room_id}")) is not None:
        return await room_page_template(request, me, room_id, form_body=draft, draft_kept=True)
    return await room_page_template(request, me, room_id)


@post(
    "/rooms/{room_id:str}/messages",
    include_in_schema=False,
    status_code=303,
    guards=[rate_limited("messages_per_person", "messages_per_room")],
)
async def post_message(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[MessageForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    if actor is None:  # the session ended while they typed: keep the text for the room
        keep_draft(request, f"/rooms/{room_id}", data.body)
    me = need_actor(request, actor)
    settings: Settings = request.app.state.settings
    try:
        posted = await check_post_message(
            me, room_id, data.body, max_length=settings.messages.max_length
        )
    except RoomClosed:  # closed while they typed: the text comes back, to be copied
        if is_htmx(request):
            return Template("_room_closed.html", context={"closed_text": data.body})
        return await room_page_template(
            request, me, room_id, status_code=409, closed_text=data.body
        )
    except Invalid as exc:
        error = exc.errors.get("body")
        if is_htmx(request):
            return await _composer(
                me,
                room_id,
                422,
                form_body=data.body,
                error=error,
                max_length=settings.messages.max_length,
            )
        return await room_page_template(
            request, me, room_id, status_code=422, form_body=data.body, error=error
        )
    if is_htmx(request):
        return await _composer(me, room_id, 200, form_body="", sent=True)
    return Redirect(f"/rooms/{room_id}#item-{posted.seq}", status_code=303)
