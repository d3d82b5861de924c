"""/einstellungen/benachrichtigungen: how the logged-in person wants to be told.

The route has no id: it always shows and edits the actor's own preferences
(applicants: contact e-mail, e-mail on/off, language; staff: e-mail and digest).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from app.web.context import MaybeActor, need_actor
from rooms.kernel.actors import Actor
from rooms.kernel.errors import Invalid
from rooms.outbound.notify.preferences import check_update_preferences, get_preferences

PATH = "/einstellungen/benachrichtigungen"


class PreferencesForm(msgspec.Struct):
    email: str = ""
    email_enabled: str = ""
    language: str = "de"
    digest: str = ""


def _page(me: Actor, form: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"actor": me, "form": form, "errors": {}, "saved": False, **extra}


@get(PATH, include_in_schema=False)
async def preferences_page(
    request: Request[Any, Any, Any], actor: MaybeActor, saved: FromQuery[bool] = False
) -> Template:
    me = need_actor(request, actor)
    prefs = await get_preferences(me)
    form = {
        "email": prefs.email,
        "email_enabled": prefs.email_enabled,
        "language": prefs.language,
        "digest": prefs.digest,
    }
    return Template("preferences.html", context=_page(me, form, saved=saved))


@post(PATH, include_in_schema=False, status_code=303)
async def update_preferences(
    request: Request[Any, Any, Any],
    actor: MaybeActor,
    data: Annotated[PreferencesForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    me = need_actor(request, actor)
    enabled = data.email_enabled == "yes"
    try:
        await check_update_preferences(
            me,
            email=data.email,
            email_enabled=enabled,
            language=data.language,
            digest=(data.digest or None) if me.is_staff else None,
        )
    except Invalid as exc:
        form = {
            "email": data.email[:400],
            "email_enabled": enabled,
            "language": data.language,
            "digest": data.digest,
        }
        return Template(
            "preferences.html", context=_page(me, form, errors=exc.errors), status_code=422
        )
    return Redirect(f"{PATH}?saved=1", status_code=303)
