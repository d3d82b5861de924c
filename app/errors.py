"""Exception handlers: clear pages for people, problem details for machines, no traces."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Scope

from app.csrf import CsrfRefused
from app.i18n import current_language, negotiate
from app.identity.actor import LoginRequired, current_actor, login_url
from app.identity.networks import StaffNetworkRefused
from app.rate_limits import RateLimited
from app.text_input import InvalidText
from app.unavailable import RETRY_AFTER_SECONDS, database_unavailable
from rooms.kernel import audit
from rooms.kernel.errors import NotAllowed, NotFound, Quarantined, RoomClosed, TrustLevelTooLow

log = logging.getLogger("antragsraum")

TRUST_LABELS = {"normal": "normal", "substantial": "substanziell", "high": "hoch"}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    status: int,
    title: str,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def page(
    request: Request[Any, Any, Any], status_code: int, template: str, **context: Any
) -> Template:
    # An unknown path is refused before the language middleware runs: negotiate here.
    current_language.set(negotiate(request, request.app.state.settings.app.language))
    return Template(
        template,
        context={"actor": getattr(request.state, "actor", None), **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if _is_api(request):
        # The same words for missing and for another authority's: no existence oracle.
        return problem(404, "Not Found", "Nothing with this id or reference for this credential.")
    return page(request, 404, "errors/not_found.html")


def not_allowed(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if _is_api(request):
        return problem(403, "Forbidden", "This action is not allowed to you in this room.")
    return page(request, 403, "errors/error.html", status=403)


def quarantined(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if _is_api(request):
        return problem(
            409, "File not available", "The virus scan has not found this file clean (yet)."
        )
    return page(request, 409, "errors/quarantined.html")


def room_closed(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if _is_api(request):
        return problem(409, "Room is closed", "The room is closed and read-only.")
    return page(request, 409, "errors/room_closed.html")


def trust_too_low(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Explain, and offer a step-up login at the same provider asking for more."""
    assert isinstance(exc, TrustLevelTooLow)
    provider = request.session.get("provider") if request.scope.get("session") else None
    step_up = login_url(request, provider, acr=exc.required) if provider else None
    return page(
        request,
        403,
        "errors/trust_level.html",
        level=TRUST_LABELS.get(exc.required, exc.required),
        step_up=step_up,
    )


def network_refused(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return page(request, 403, "errors/network.html")


def login_required(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, LoginRequired)
    target = login_url(request)
    if request.headers.get("hx-request"):
        return Response(b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def csrf_refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The security check of a form failed: say why in words, and give the text back."""
    assert isinstance(exc, CsrfRefused)
    if _is_api(request):
        return http_error(request, exc)
    return page(request, 403, "errors/csrf.html", kept=exc.kept, back=exc.back)


def invalid_text(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Text that is not UTF-8 (or NUL where no field can say so): 400 (``app.text_input``)."""
    assert isinstance(exc, HTTPException)
    if _is_api(request):
        return problem(400, "Bad Request", exc.detail)
    return page(request, 400, "errors/invalid_text.html")


def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:
        return server_error(request, exc)
    if _is_api(request):
        extra: dict[str, Any] = {"errors": exc.extra} if exc.extra else {}
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if exc.detail != title else ""
        return problem(exc.status_code, title, detail, exc.headers, **extra)
    if exc.status_code == 404:
        return page(request, 404, "errors/not_found.html")
    return page(request, exc.status_code, "errors/error.html", status=exc.status_code)


def rate_limited(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """429 with Retry-After: a problem for the API, a page in people's words otherwise."""
    assert isinstance(exc, RateLimited)
    headers = {"Retry-After": str(exc.retry_after)}
    if _is_api(request):
        detail = f"Too many requests. Retry after {exc.retry_after} seconds."
        return problem(429, "Too Many Requests", detail, headers)
    response = page(
        request, 429, "errors/rate_limited.html", minutes=math.ceil(exc.retry_after / 60)
    )
    response.headers.update(headers)
    return response


def unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """503 with ``Retry-After``: the database is out of reach (``app.unavailable``)."""
    log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_api(request):
        detail = "The database cannot be reached; nothing was changed. Retry later."
        return problem(503, "Service Unavailable", detail, headers)
    response = page(request, 503, "errors/unavailable.html")
    response.headers.update(headers)
    return response


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        return unavailable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return problem(500, "Internal Server Error")
    return page(request, HTTP_500_INTERNAL_SERVER_ERROR, "errors/error.html", status=500)


async def audit_refusals(exc: Exception, scope: Scope) -> None:
    """After-exception hook: a logged-in actor refused by an access gate is audited.

    Exception handlers are synchronous; this hook runs after them, outside any
    transaction the refused action had opened (so the event is not rolled back).
    """
    if not isinstance(exc, NotFound | TrustLevelTooLow) or scope["type"] != ScopeType.HTTP:
        return
    actor = await current_actor(ASGIConnection(scope))
    if actor is None:
        return
    reason = "trust_level" if isinstance(exc, TrustLevelTooLow) else "not_found"
    await audit.record(
        "access_denied",
        actor=actor,
        outcome="refused",
        detail={"reason": reason, "method": scope.get("method", ""), "path": scope["path"]},
    )


exception_handlers: dict[type[Exception] | int, Any] = {
    NotFound: not_found,
    NotFoundException: not_found,
    RoomClosed: room_closed,
    NotAllowed: not_allowed,
    Quarantined: quarantined,
    TrustLevelTooLow: trust_too_low,
    LoginRequired: login_required,
    StaffNetworkRefused: network_refused,
    RateLimited: rate_limited,
    CsrfRefused: csrf_refused,
    InvalidText: invalid_text,
    HTTPException: http_error,
    Exception: server_error,
}
