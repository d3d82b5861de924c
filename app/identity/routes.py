"""Login, callback and logout pages; the back-channel logout endpoint."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.identity import texts
from app.identity.actor import PROVIDER_KEY, current_actor, login_session, safe_next, start_page
from app.identity.claims import ClaimsError, actor_from_claims
from app.identity.drafts import DRAFT_KEY
from app.identity.id_tokens import LoginFailed
from app.identity.logout import (
    announce_session_end,
    backchannel_logout,
    login_record,
    provider_logout_url,
)
from app.identity.oidc import (
    Provider,
    ProviderUnavailable,
    RelyingParty,
    VerifiedLogin,
)
from app.identity.sessions import session_id_of
from app.rate_limits import rate_limited
from rooms.kernel import audit
from rooms.kernel.actors import Actor
from rooms.outbound.notify.addresses import remember_account_address

FLOW_KEY = "oidc_flow"
NextParam = Annotated[str | None, QueryParameter(name="next")]
ACR_LEVELS = ("normal", "substantial", "high")
BY_ADDRESS = rate_limited("login_per_address")


def _landing(actor: Actor) -> str:
    return start_page(actor)


async def _error_page(
    request: Request[Any, Any, Any], title: str, message: str, status: int
) -> Template:
    context = {"title": title, "message": message, "actor": await current_actor(request)}
    return Template("identity/error.html", context=context, status_code=status)


async def _unavailable(request: Request[Any, Any, Any]) -> Template:
    return await _error_page(
        request, texts.PROVIDER_UNAVAILABLE_TITLE, texts.PROVIDER_UNAVAILABLE, 502
    )


@get("/login", name="identity:login")
async def login_page(
    request: Request[Any, Any, Any],
    relying_party: NamedDependency[RelyingParty],
    next_path: NextParam = None,
) -> Template:
    return Template(
        "identity/login.html",
        context={
            "providers": list(relying_party.providers.values()),
            "next": safe_next(next_path),
            "actor": await current_actor(request),
        },
    )


@get("/login/{provider_id:str}", name="identity:login_start", guards=[BY_ADDRESS])
async def login_start(
    request: Request[Any, Any, Any],
    provider_id: FromPath[str],
    relying_party: NamedDependency[RelyingParty],
    next_path: NextParam = None,
    acr: FromQuery[str | None] = None,
) -> Template | Redirect:
    provider = relying_party.providers.get(provider_id)
    if provider is None:
        return await _error_page(request, texts.UNKNOWN_PROVIDER_TITLE, texts.UNKNOWN_PROVIDER, 404)
    step_up = acr if acr in ACR_LEVELS else None
    try:
        start = await relying_party.start_login(provider, request.app, acr_values=step_up)
    except ProviderUnavailable:
        return await _unavailable(request)
    request.session[FLOW_KEY] = {
        "provider": provider.id,
        "state": start.state,
        "nonce": start.nonce,
        "code_verifier": start.code_verifier,
        "next": safe_next(next_path),
        "acr": step_up,
    }
    return Redirect(start.url, status_code=303)


async def _complete(
    request: Request[Any, Any, Any], relying_party: RelyingParty, flow: dict[str, Any] | None
) -> tuple[Provider, Actor, VerifiedLogin, str | None]:
    provider = relying_party.providers.get(flow["provider"]) if flow else None
    state = request.query_params.get("state", "")
    if flow is None or provider is None or not state:
        raise LoginFailed("state")
    if not hmac.compare_digest(state.encode(), str(flow["state"]).encode()):
        raise LoginFailed("state")
    if request.query_params.get("error"):
        raise LoginFailed("provider_error")
    code = request.query_params.get("code")
    if not code:
        raise LoginFailed("code")
    verified = await relying_party.finish_login(
        provider, request.app, code=code, nonce=flow["nonce"], code_verifier=flow["code_verifier"]
    )
    try:
        actor = actor_from_claims(
            verified.claims,
            subject_claim=provider.subject_claim,
            staff_realm=provider.realm == "staff",
            trust_staff_claims=provider.built_in,
            authority=provider.authority or None,
            roles_claim=provider.roles_claim,
            role_map=provider.role_map,
            acr_map=provider.acr_map,
        )
    except ClaimsError as exc:
        raise LoginFailed("claims") from exc
    return provider, actor, verified, flow["next"]


@get("/auth/callback", name="identity:callback", guards=[BY_ADDRESS])
async def callback(
    request: Request[Any, Any, Any], relying_party: NamedDependency[RelyingParty]
) -> Template | Redirect:
    stored = request.session.pop(FLOW_KEY, None)  # a flow is good for one callback only
    flow = stored if isinstance(stored, dict) else None
    provider_id = flow.get("provider") if flow else None
    try:
        provider, actor, verified, next_path = await _complete(request, relying_party, flow)
    except LoginFailed as exc:
        detail = {"provider": provider_id, "reason": exc.reason}
        await audit.record("login", actor=None, outcome="failed", detail=detail)
        message = texts.LOGIN_FAILED[exc.reason]
        return await _error_page(request, texts.LOGIN_FAILED_TITLE, message, 400)
    except ProviderUnavailable:
        detail = {"provider": provider_id, "reason": "unavailable"}
        await audit.record("login", actor=None, outcome="failed", detail=detail)
        return await _unavailable(request)
    # A new session under a new id, also for a step-up within a running session.
    session = login_session(actor, provider.id)
    if draft := request.session.get(DRAFT_KEY):  # typed before the login: kept for its page
        session[DRAFT_KEY] = draft
    session |= login_record(provider.issuer, verified.claims, verified.id_token)
    request.set_session(session)
    await remember_account_address(actor)  # where notices go unless the person chose otherwise
    await audit.record("login", actor=actor, detail={"provider": provider.id})
    if requested := flow.get("acr") if flow else None:
        detail = {"requested": requested, "granted": actor.trust_level.name}
        await audit.record("step_up", actor=actor, detail=detail)
    return Redirect(next_path or _landing(actor), status_code=303)


@post("/logout", name="identity:logout")
async def logout(
    request: Request[Any, Any, Any], relying_party: NamedDependency[RelyingParty]
) -> Redirect:
    """End the session here, then at the provider (RP-Initiated Logout) if it offers that."""
    actor = await current_actor(request)
    if actor is not None:
        await audit.record("logout", actor=actor)
    session = dict(request.session)
    if session_id := session_id_of(request):
        announce_session_end(request.app, [session_id])
    request.clear_session()
    target = await provider_logout_url(
        relying_party, request.app, session, session.get(PROVIDER_KEY)
    )
    return Redirect(target or "/", status_code=303)


@get("/auth/jwks.json", name="identity:client_jwks", sync_to_thread=False)
def client_jwks(relying_party: NamedDependency[RelyingParty]) -> Response[dict[str, Any]]:
    """The public keys of the app's private_key_jwt client assertions, for the providers."""
    keys = relying_party.client_jwks() or {"keys": []}
    return Response(keys, media_type="application/jwk-set+json")


def identity_router(relying_party: RelyingParty) -> Router:
    handlers: list[Any] = [login_page, login_start, callback, logout, backchannel_logout]
    if relying_party.client_jwks() is not None:  # some provider uses private_key_jwt
        handlers.append(client_jwks)
    return Router(
        path="/",
        route_handlers=handlers,
        dependencies={"relying_party": Provide(lambda: relying_party, sync_to_thread=False)},
        include_in_schema=False,
    )
