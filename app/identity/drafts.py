"""Text typed into a form whose POST needed a login: kept in the session, offered again.

A session that ended while someone typed would otherwise lose the text: the POST is
answered with the login, and the login returns to a page, never to a POST. The form's
handler keeps the text (:func:`keep_draft`) under the page it came from, the login
carries it into the new session (:data:`DRAFT_KEY`), and that page takes it once
(:func:`take_draft`) to re-fill its form with a message that says what happened.
The session is server-side, so the text never travels in a cookie.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

DRAFT_KEY = "draft"
MAX_DRAFT = 100_000


def keep_draft(request: Request[Any, Any, Any], page: str, text: str) -> None:
    if text.strip():
        request.session[DRAFT_KEY] = {"page": page, "text": text[:MAX_DRAFT]}


def take_draft(request: Request[Any, Any, Any], page: str) -> str | None:
    """The text kept for ``page`` (once), or ``None``."""
    draft = request.session.get(DRAFT_KEY) if isinstance(request.session, dict) else None
    if not isinstance(draft, dict) or draft.get("page") != page:
        return None
    request.session.pop(DRAFT_KEY, None)
    text = draft.get("text")
    return text if isinstance(text, str) else None
