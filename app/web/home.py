"""The start page: sends people where their work is."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template

from app.identity.actor import start_page
from app.web.context import MaybeActor


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any], actor: MaybeActor) -> Template | Redirect:
    if actor is not None:
        return Redirect(start_page(actor), status_code=303)
    return Template("home.html", context={"actor": None})
