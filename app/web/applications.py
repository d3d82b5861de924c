"""'Meine Anträge': the applicant's rooms, what needs them now above the rest."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, need_actor
from rooms.casework.listings import applications_view


@get("/antraege", include_in_schema=False)
async def applications(request: Request[Any, Any, Any], actor: MaybeActor) -> Template | Redirect:
    me = need_actor(request, actor)
    if me.is_staff:
        return Redirect("/inbox", status_code=303)
    listing = await applications_view(me)
    return Template(
        "applications.html",
        context={
            "actor": me,
            "now": listing.now,
            "rest": listing.rest,
            "rooms": listing.now + listing.rest,
            "today": listing.today,
        },
    )
