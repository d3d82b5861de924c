"""Document requests: the caseworker asks, and reviews what arrives."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.settings import Settings
from app.web.context import MaybeActor, need_actor
from app.web.rooms import room_page_template
from rooms.casework.requests import NewItem, check_create_request, check_review_item
from rooms.kernel.errors import Invalid

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
OPTIONAL_MARK = "(optional)"


class RequestForm(msgspec.Struct):
    explanation: str = ""
    items: str = ""
    deadline: str = ""


class ReviewForm(msgspec.Struct):
    decision: str = ""
    reason: str = ""


def parse_items(text: str) -> list[NewItem]:
    """One document per line; a line ending in "(optional)" is not required."""
    items = []
    for line in text.splitlines():
        label = line.strip()
        optional = label.lower().endswith(OPTIONAL_MARK)
        if optional:
            label = label[: -len(OPTIONAL_MARK)].strip()
        if label:
            items.append(NewItem(label, required=not optional))
    return items


@post("/rooms/{room_id:str}/requests", include_in_schema=False, status_code=303)
async def create_request(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[RequestForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    settings: Settings = request.app.state.settings
    try:
        deadline = date.fromisoformat(data.deadline)
    except ValueError:
        deadline = date.min  # refused below as a past date
    try:
        posted = await check_create_request(
            me,
            room_id,
            data.explanation,
            parse_items(data.items),
            deadline,
            max_length=settings.messages.max_length,
        )
    except Invalid as exc:
        return await room_page_template(
            request,
            me,
            room_id,
            status_code=422,
            request_errors=exc.errors,
            request_form=msgspec.structs.asdict(data),
        )
    return Redirect(f"/rooms/{room_id}#item-{posted.seq}", status_code=303)


@post(
    "/rooms/{room_id:str}/request-items/{item_id:str}/review",
    include_in_schema=False,
    status_code=303,
)
async def review_item(
    request: Request[Any, Any, Any],
    room_id: FromPath[str],
    item_id: FromPath[str],
    actor: MaybeActor,
    data: Annotated[ReviewForm, Form],
) -> Template | Redirect:
    me = need_actor(request, actor)
    try:
        await check_review_item(
            me, room_id, item_id, accept=data.decision == "accept", reason=data.reason
        )
    except Invalid as exc:
        if "state" in exc.errors:  # reviewed meanwhile: the page shows how
            return Redirect(f"/rooms/{room_id}#request-item-{item_id}", status_code=303)
        return await room_page_template(
            request,
            me,
            room_id,
            status_code=422,
            review_errors={item_id: next(iter(exc.errors.values()))},
            review_reasons={item_id: data.reason},
        )
    return Redirect(f"/rooms/{room_id}#request-item-{item_id}", status_code=303)
