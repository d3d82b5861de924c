"""/admin/webhooks: the authority admin's endpoints for events, and its dead letters.

Subscriptions are created here (the signing secret is shown once, on the answer to
the form) or disabled; deliveries that gave up are listed with "deliver again".
Every handler passes ``need_admin`` (or the domain's admin gate) first: everyone
else gets the same 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.settings import Settings
from app.web.admin import need_admin
from app.web.context import MaybeActor, need_actor
from rooms.kernel.errors import Invalid
from rooms.kernel.events import EVENT_TYPES
from rooms.kernel.records import AdminAccess
from rooms.outbound.webhooks.dead_letters import check_redeliver, dead_letters
from rooms.outbound.webhooks.subscriptions import (
    SubscriptionView,
    check_create_subscription,
    check_disable_subscription,
    subscriptions,
)

PAGE = "/admin/webhooks"


async def _page(
    request: Request[Any, Any, Any],
    admin: AdminAccess,
    *,
    created: SubscriptionView | None = None,
    secret: str = "",
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    settings: Settings = request.app.state.settings
    return Template(
        "admin/webhooks.html",
        context={
            "actor": request.state.actor,
            "admin": admin,
            "subscriptions": await subscriptions(admin.authority_id),
            "dead": await dead_letters(admin.authority_id),
            "event_types": list(EVENT_TYPES),
            "require_https": settings.webhook_require_https,
            "created": created,
            "secret": secret,
            "form": form or {"url": "", "event_types": []},
            "errors": errors or {},
        },
        status_code=status_code,
        # The answer that shows the signing secret must not stay in any cache or history.
        headers={"cache-control": "no-store"} if secret else None,
    )


@get(PAGE, include_in_schema=False)
async def webhooks_page(request: Request[Any, Any, Any], actor: MaybeActor) -> Template:
    admin = await need_admin(request, actor)
    return await _page(request, admin)


@post(PAGE, include_in_schema=False, status_code=200)
async def create_webhook(request: Request[Any, Any, Any], actor: MaybeActor) -> Template:
    admin = await need_admin(request, actor)
    submitted = await request.form()
    url = str(submitted.get("url", ""))[:2100]
    types = [str(t) for t in submitted.getall("event_types", [])][: len(EVENT_TYPES) + 1]
    settings: Settings = request.app.state.settings
    try:
        created, secret = await check_create_subscription(
            need_actor(request, actor),
            url,
            types,
            require_https=settings.webhook_require_https,
            private_networks=settings.webhook_private_networks,
        )
    except Invalid as exc:
        form = {"url": url, "event_types": types}
        return await _page(request, admin, form=form, errors=exc.errors, status_code=422)
    return await _page(request, admin, created=created, secret=secret)


@post(f"{PAGE}/{{subscription_id:str}}/disable", include_in_schema=False, status_code=303)
async def disable_webhook(
    request: Request[Any, Any, Any], actor: MaybeActor, subscription_id: FromPath[str]
) -> Redirect:
    await check_disable_subscription(need_actor(request, actor), subscription_id)
    return Redirect(PAGE, status_code=303)


@post(f"{PAGE}/deliveries/{{delivery_id:str}}/redeliver", include_in_schema=False, status_code=303)
async def redeliver(
    request: Request[Any, Any, Any], actor: MaybeActor, delivery_id: FromPath[str]
) -> Redirect:
    await check_redeliver(need_actor(request, actor), delivery_id)
    return Redirect(f"{PAGE}#dead-letters", status_code=303)
