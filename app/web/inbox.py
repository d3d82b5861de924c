"""The authority's inbox: rooms of the caseworker's authority."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, need_actor
from rooms.listings import inbox_for


@get("/inbox", include_in_schema=False)
async def inbox(request: Request[Any, Any, Any], actor: MaybeActor) -> Template | Redirect:
    me = need_actor(request, actor)
    if not me.is_staff:
        return Redirect("/antraege", status_code=303)
    rooms = await inbox_for(me)
    return Template("inbox.html", context={"actor": me, "rooms": rooms})
