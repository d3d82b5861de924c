"""CSRF for the routes the CSRF middleware must not see: multipart uploads.

The middleware would parse a whole multipart body to look for a token field before
the handler runs (memory!). The pages' upload routes (files, a decision's document)
are excluded from it and check the token here, from the ``x-csrftoken`` header (htmx)
or the ``csrf`` query parameter of the form's action URL (plain forms), before a byte
of the body is read. The token and its check are the middleware's own (``app.csrf``):
equal to the cookie and issued for this session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.utils.scope.state import ScopeState

from app.csrf import HEADER, accepted
from app.refusal_audit import CSRF_REFUSED, count_refusal


def require_csrf(request: Request[Any, Any, Any]) -> None:
    secret: str = request.app.state.secret
    sent = str(request.headers.get(HEADER) or request.query_params.get("csrf") or "")
    if not accepted(sent, request, secret):
        count_refusal(request.scope, CSRF_REFUSED)  # audited as counts (app.refusal_audit)
        raise PermissionDeniedException("CSRF token verification failed")
    ScopeState.from_scope(request.scope).csrf_token = sent  # for the fragment it answers
