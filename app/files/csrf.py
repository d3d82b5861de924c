"""CSRF for the routes Litestar's middleware must not see: multipart uploads.

Litestar's CSRF middleware parses a whole multipart body to look for a token field
before the handler runs (memory!). The pages' upload routes (files, a decision's
document) are excluded from it and check the token here, from the ``x-csrftoken``
header (htmx) or the ``csrf`` query parameter of the form's action URL (plain forms),
before a byte of the body is read. The token format and its check are Litestar's own.

:func:`viewer_token` is the token a viewer's forms carry, passed to the templates
explicitly: Litestar's ``csrf_token()`` reads it from the request's scope, which a
websocket does not have (its middleware only sees HTTP), so the live socket's
fragments would fail to render or carry no token.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash, generate_csrf_token
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

COOKIE = "antragsraum_csrf"


def _decode(token: str, secret: str) -> str | None:
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    value, digest = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return value if compare_digest(digest, generate_csrf_hash(token=value, secret=secret)) else None


def require_csrf(request: Request[Any, Any, Any]) -> None:
    secret: str = request.app.state.secret
    sent = str(request.headers.get("x-csrftoken") or request.query_params.get("csrf") or "")
    cookie = request.cookies.get(COOKIE, "")
    mine, theirs = _decode(sent, secret), _decode(cookie, secret)
    if mine is None or theirs is None or not compare_digest(mine, theirs):
        raise PermissionDeniedException("CSRF token verification failed")


def viewer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, bool]:
    """The CSRF token of this viewer's browser, and whether it is new (to be set).

    A page gets the one Litestar's middleware chose (the cookie's, or a new one it sets).
    A websocket handshake carries the same cookie the page was served with: the socket's
    forms get that token, so they are the page's forms byte for byte. Without a valid
    cookie a new token is made; the caller sets it as the cookie.
    """
    chosen = value_or_default(ScopeState.from_scope(connection.scope).csrf_token, "")
    if chosen:
        return chosen, False
    secret: str = connection.app.state.secret
    cookie = connection.cookies.get(COOKIE, "")
    if cookie and _decode(cookie, secret) is not None:
        return cookie, False
    return generate_csrf_token(secret=secret), True


def cookie_header(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> str:
    """``Set-Cookie`` for a new token, as Litestar's middleware would set it."""
    config = connection.app.csrf_config
    assert config is not None
    cookie = Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    return cookie.to_header(header="")
