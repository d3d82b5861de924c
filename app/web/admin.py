"""The authority administration: an index of what an admin manages.

Each section (text templates, webhook subscriptions …) lives in its own module and
passes ``need_admin`` first; the gate gives the same 404 to everyone else.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from app.web.context import MaybeActor, need_actor
from rooms.kernel.access import access_authority_admin
from rooms.kernel.records import AdminAccess

# (path, German title, German description): the sections linked from /admin.
SECTIONS: list[tuple[str, str, str]] = [
    (
        "/admin/textbausteine",
        "Textbausteine",
        "Texte mit Platzhaltern, die Sachbearbeitende in Nachrichten einfügen",
    ),
    (
        "/admin/webhooks",
        "Webhooks",
        "Ereignisse signiert an Ihr Fachverfahren senden; nicht zugestellte erneut senden",
    ),
]


async def need_admin(request: Request[Any, Any, Any], actor: MaybeActor) -> AdminAccess:
    """The authority the logged-in admin manages; a login redirect, or ``NotFound``."""
    return await access_authority_admin(need_actor(request, actor))


@get("/admin", include_in_schema=False)
async def admin_index(request: Request[Any, Any, Any], actor: MaybeActor) -> Template:
    admin = await need_admin(request, actor)
    return Template(
        "admin/index.html", context={"actor": actor, "admin": admin, "sections": SECTIONS}
    )
