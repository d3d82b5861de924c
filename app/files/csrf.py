"""CSRF for the routes the CSRF middleware must not see: multipart uploads.

The middleware would parse a whole multipart body to look for a token field before
the handler runs (memory!). The pages' upload routes (files, a decision's document)
are excluded from it and check the token here, never from the URL (a token in the
action URL's query leaks into access logs and Referer headers, so a ``csrf`` query
parameter is refused):

- from the ``x-csrftoken`` header (htmx, upload.js), before a byte of the body is read;
- for plain forms without JavaScript, from the hidden ``_csrf_token`` field, which the
  templates put FIRST in the form: :func:`require_csrf` returns the check of the
  body's first part, which the upload stream calls when that part is complete
  (``app.files.upload_stream``). A body whose first part is not a valid token, or a
  file, is refused with 403 before any file part is taken and without reading on.

The token and its check are the middleware's own (``app.csrf``): equal to the cookie
and issued for this session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.utils.scope.state import ScopeState

from app.csrf import FIELD, HEADER, accepted
from app.files.upload_stream import FirstPart
from app.refusal_audit import CSRF_REFUSED, count_refusal


def _refuse(request: Request[Any, Any, Any]) -> PermissionDeniedException:
    count_refusal(request.scope, CSRF_REFUSED)  # audited as counts (app.refusal_audit)
    return PermissionDeniedException("CSRF token verification failed")


def require_csrf(request: Request[Any, Any, Any]) -> FirstPart | None:
    """Check the header now (None), or return the check of the form's first part."""
    secret: str = request.app.state.secret
    if "csrf" in request.query_params:
        raise _refuse(request)
    sent = str(request.headers.get(HEADER) or "")
    if sent or not request.content_type[0].startswith("multipart/"):
        if not accepted(sent, request, secret):
            raise _refuse(request)
        ScopeState.from_scope(request.scope).csrf_token = sent  # for the fragment it answers
        return None

    def first_part(name: str | None, value: str) -> None:
        if name != FIELD or not accepted(value, request, secret):
            raise _refuse(request)
        ScopeState.from_scope(request.scope).csrf_token = value

    return first_part
