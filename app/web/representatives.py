"""Representatives: invite by one-time code, redeem, remove."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.rate_limits import rate_limited
from app.settings import Settings
from app.web.context import MaybeActor, need_actor
from app.web.rooms import room_page_template
from rooms.casework.representatives import (
    InvitationRefused,
    check_create_invitation,
    check_redeem_invitation,
    check_remove_representative,
)
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class InvitationForm(msgspec.Struct):
    label: str = ""


class RedeemForm(msgspec.Struct):
    code: str = ""


@post("/rooms/{room_id:str}/invitations", include_in_schema=False, status_code=200)
async def create_invitation(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[InvitationForm, Form],
) -> Template:
    me = need_actor(request, actor)
    try:
        created = await check_create_invitation(me, room_id, data.label)
    except Invalid as exc:
        return await room_page_template(
            request,
            me,
            room_id,
            status_code=422,
            invite_error=exc.errors.get("label", "too_long"),
            invite_label=data.label,
        )
    access = await access_room(me, room_id)
    settings: Settings = request.app.state.settings
    return Template(
        "invitation_created.html",
        context={
            "actor": me,
            "room": access.room,
            "invitation": created,
            "link": f"{settings.app.base_url}/einladung?code={created.code}",
        },
    )


@post(
    "/rooms/{room_id:str}/representatives/{participant_id:str}/remove",
    include_in_schema=False,
    status_code=303,
)
async def remove_representative(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    participant_id: FromPath[str],
    actor: MaybeActor,
) -> Redirect:
    me = need_actor(request, actor)
    await check_remove_representative(me, room_id, participant_id)
    return Redirect(f"/rooms/{room_id}#beteiligte", status_code=303)


@get("/einladung", include_in_schema=False)
async def redeem_page(
    request: Request[Any, Any, Any], actor: MaybeActor, code: FromQuery[str] = ""
) -> Template:
    me = need_actor(request, actor)
    return Template("invitation_redeem.html", context={"actor": me, "code": code[:40]})


@post(
    "/einladung",
    include_in_schema=False,
    status_code=303,
    guards=[rate_limited("redeem_per_account", "redeem_per_address")],
)
async def redeem(
    request: Request[Any, Any, Any], actor: MaybeActor, data: Annotated[RedeemForm, Form]
) -> Template | Redirect:
    me = need_actor(request, actor)
    try:
        room_id = await check_redeem_invitation(me, data.code)
    except InvitationRefused:
        return Template(
            "invitation_redeem.html",
            context={"actor": me, "code": data.code[:40], "error": True},
            status_code=422,
        )
    return Redirect(f"/rooms/{room_id}", status_code=303)
