"""The development IdP's endpoints under ``/dev-idp`` and the router that mounts them.

Discovery, JWKS, the persona page (``/authorize``), the token endpoint and RP-Initiated
Logout (``/logout``); ``dev_identity_provider(app)`` finds the mounted provider (tests use
it to send logouts). The provider itself is ``app.identity.devidp``.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template
from litestar.routes import HTTPRoute

from app.identity import texts
from app.identity.devidp import (
    AuthorizationRequest,
    AuthorizeRefused,
    DevIdentityProvider,
    TokenError,
)
from app.identity.personas import PERSONAS, PERSONAS_BY_ID

DEV_IDP_PATH = "/dev-idp"


def _refused(reason: str) -> Template:
    return Template(
        "identity/error.html",
        context={"title": texts.DEV_IDP_REFUSED_TITLE, "message": texts.DEV_IDP_REFUSED[reason]},
        status_code=400,
    )


def _persona_page(request: AuthorizationRequest) -> Template:
    choices = [
        (persona, request.accepts(persona), request.offers_simulated_eid(persona))
        for persona in PERSONAS
    ]
    return Template(
        "identity/dev_idp_authorize.html",
        context={"choices": choices, "params": request.params},
    )


@get("/.well-known/openid-configuration", sync_to_thread=False)
def discovery(dev_idp: NamedDependency[DevIdentityProvider]) -> dict[str, Any]:
    return dev_idp.metadata()


@get("/jwks", sync_to_thread=False)
def jwks(dev_idp: NamedDependency[DevIdentityProvider]) -> dict[str, Any]:
    return dev_idp.jwks()


@get("/authorize", sync_to_thread=False)
def authorize_page(
    request: Request[Any, Any, Any], dev_idp: NamedDependency[DevIdentityProvider]
) -> Template | Redirect:
    try:
        auth_request = dev_idp.parse_authorization(request.query_params)
    except AuthorizeRefused as exc:
        return _refused(exc.reason)
    if auth_request.error:
        return Redirect(auth_request.redirect(error=auth_request.error), status_code=303)
    return _persona_page(auth_request)


@post("/authorize")
async def authorize_choose(
    request: Request[Any, Any, Any], dev_idp: NamedDependency[DevIdentityProvider]
) -> Template | Redirect:
    form = await request.form()
    try:
        auth_request = dev_idp.parse_authorization(form)
    except AuthorizeRefused as exc:
        return _refused(exc.reason)
    if auth_request.error:
        return Redirect(auth_request.redirect(error=auth_request.error), status_code=303)
    eid_choice = form.get("eid_persona", "")
    choice = eid_choice or form.get("persona", "")
    if not choice:
        return Redirect(auth_request.redirect(error="access_denied"), status_code=303)
    persona = PERSONAS_BY_ID.get(choice)
    if persona is None:
        return _refused("persona")
    if eid_choice:
        if not auth_request.offers_simulated_eid(persona):
            return Redirect(auth_request.redirect(error="access_denied"), status_code=303)
    elif not auth_request.accepts(persona):
        return Redirect(auth_request.redirect(error="access_denied"), status_code=303)
    code = dev_idp.issue_code(auth_request, persona, simulated_eid=bool(eid_choice))
    return Redirect(auth_request.redirect(code=code), status_code=303)


@get("/logout", sync_to_thread=False)
def end_session(
    request: Request[Any, Any, Any], dev_idp: NamedDependency[DevIdentityProvider]
) -> Template | Redirect:
    """RP-Initiated Logout. This IdP keeps no login sessions: nothing to end but the visit."""
    try:
        target = dev_idp.check_logout(request.query_params)
    except AuthorizeRefused as exc:
        return _refused(exc.reason)
    if target is not None:
        return Redirect(target, status_code=303)
    return Template(
        "identity/dev_idp_logged_out.html",
        context={"title": texts.DEV_IDP_LOGGED_OUT_TITLE, "message": texts.DEV_IDP_LOGGED_OUT},
    )


@post("/token", status_code=200)
async def token(
    request: Request[Any, Any, Any], dev_idp: NamedDependency[DevIdentityProvider]
) -> Response[dict[str, Any]]:
    form = await request.form()
    no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    try:
        body = dev_idp.exchange_code(form, request.headers.get("authorization"))
    except TokenError as exc:
        return Response({"error": exc.error}, status_code=exc.status, headers=no_store)
    return Response(body, headers=no_store)


def dev_idp_router(dev_idp: DevIdentityProvider) -> Router:
    return Router(
        path=DEV_IDP_PATH,
        route_handlers=[discovery, jwks, authorize_page, authorize_choose, end_session, token],
        dependencies={"dev_idp": Provide(lambda: dev_idp, sync_to_thread=False)},
        include_in_schema=False,
        opt={"dev_idp": dev_idp},
    )


def dev_identity_provider(app: Litestar) -> DevIdentityProvider | None:
    """The development IdP mounted in ``app``, if any (tests use it to send logouts)."""
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path == f"{DEV_IDP_PATH}/jwks":
            for handler in route.route_handlers:
                found = handler.opt.get("dev_idp")
                if isinstance(found, DevIdentityProvider):
                    return found
    return None
