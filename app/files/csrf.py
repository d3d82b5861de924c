"""CSRF for the routes Litestar's middleware must not see: multipart uploads.

Litestar's CSRF middleware parses a whole multipart body to look for a token field
before the handler runs (memory!). The pages' upload routes (files, a decision's
document) are excluded from it and check the token here, from the ``x-csrftoken``
header (htmx) or the ``csrf`` query parameter of the form's action URL (plain forms),
before a byte of the body is read. The token format and its check are Litestar's own.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash

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
