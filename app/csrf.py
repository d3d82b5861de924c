"""CSRF tokens bound to the server-side session (signed double-submit cookie).

Litestar's CSRF middleware is replaced, not configured or wrapped: its token is a
random value signed with the app secret alone and checked only against the cookie
(double submit), with no hook to bring the session in. Anyone who can plant a cookie
on a victim's browser (a sibling subdomain, a man in the middle on plain http) can
plant a pair the attacker fetched for themselves, and it is accepted. Wrapping it
would mean overriding its private methods.

Here a token is ``<nonce>.<HMAC-SHA256(secret, session id, nonce)>`` (OWASP's signed
double-submit cookie): it is valid only for the session it was issued in, so another
session's token, an attacker's own, or one issued before login (the session id
rotates at login) is refused. The cookie still carries the token, and the form field
(``_csrf_token``), the htmx header (``x-csrftoken``) or, for uploads, the action URL's
``csrf`` must equal it. A visitor without a session is bound to the empty id: such a
request has no session to act in. A request whose session has ended (it presents a
session cookie the store no longer knows: the idle or absolute timeout) acts as
nobody either, and its token cannot match any more; it goes on to the handler, which
sends it to the login and keeps what was typed, instead of a refusal that loses it.
Templates get the token through Litestar's own ``csrf_input`` / ``csrf_token()``, which
read the scope state set here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from app.identity.sessions import session_id_of
from app.refusal_audit import CSRF_REFUSED, count_refusal

COOKIE = "antragsraum_csrf"
HEADER = "x-csrftoken"
FIELD = "_csrf_token"
EXCLUDE_OPT_KEY = "exclude_from_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _mac(secret: str, session_id: str, nonce: str) -> str:
    message = f"csrf\x1f{session_id}\x1f{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_token(secret: str, session_id: str) -> str:
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_mac(secret, session_id, nonce)}"


def valid_for_session(token: str, secret: str, session_id: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce and mac) and hmac.compare_digest(mac, _mac(secret, session_id, nonce))


def accepted(sent: str, connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> bool:
    """The sent token equals the cookie, and both were issued for this session."""
    cookie = connection.cookies.get(COOKIE, "")
    session_id = session_id_of(connection) or ""
    return (
        bool(sent)
        and hmac.compare_digest(sent.encode(), cookie.encode())
        and valid_for_session(sent, secret, session_id)
    )


class CsrfRefused(PermissionDeniedException):
    """A form refused by the token check; what was typed comes back to the user.

    ``kept``: the form's text fields as sent (never the token); ``back``: the page the
    form came from, when the Referer names one of this site's pages.
    """

    def __init__(self, kept: dict[str, str], back: str) -> None:
        super().__init__("CSRF token verification failed")
        self.kept = kept
        self.back = back


def _refused(request: Request[Any, Any, Any], form: dict[str, str]) -> CsrfRefused:
    kept = {k: v for k, v in form.items() if k != FIELD and v.strip()}
    referer = urlsplit(request.headers.get("referer", ""))
    own = f"{request.url.scheme}://{request.url.netloc}"
    same_site = f"{referer.scheme}://{referer.netloc}" == own and referer.path.startswith("/")
    back = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"
    return CsrfRefused(kept, back)


def viewer_token(connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> tuple[str, bool]:
    """The token this viewer's forms carry, and whether it is new (to be set as the cookie).

    A page gets the one the middleware chose for the request. A websocket (which the
    middleware does not see) carries the cookie the page was served with: if it is
    valid for this session, the socket's forms get it, byte for byte the page's;
    otherwise a new token for the session is made, and the caller sets the cookie.
    Templates rendered over a socket have no request, so the token is passed in.
    """
    chosen = ScopeState.from_scope(connection.scope).csrf_token
    if isinstance(chosen, str) and chosen:
        return chosen, False
    session_id = session_id_of(connection) or ""
    cookie = connection.cookies.get(COOKIE, "")
    if cookie and valid_for_session(cookie, secret, session_id):
        return cookie, False
    return new_token(secret, session_id), True


def cookie_header(token: str, *, secure: bool) -> str:
    """``Set-Cookie`` for a token, as the middleware sets it."""
    cookie = Cookie(key=COOKIE, value=token, path="/", secure=secure, httponly=True, samesite="lax")
    return cookie.to_header(header="")


class SessionBoundCsrf(ASGIMiddleware):
    """Issues the token on safe requests and checks it on all others (inside sessions)."""

    scopes = (ScopeType.HTTP,)
    exclude_opt_key = EXCLUDE_OPT_KEY

    def __init__(
        self, secret: str, *, secure: bool, exclude: list[str], session_cookie: str
    ) -> None:
        """``exclude``: path prefixes that take no token (the machine API, server-to-server)."""
        self.secret = secret
        self.secure = secure
        self.session_cookie = session_cookie
        prefixes = tuple(exclude)
        self.should_bypass_for_scope = lambda scope: str(scope["path"]).startswith(prefixes)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope, receive)
        state = ScopeState.from_scope(scope)
        if request.method in SAFE_METHODS:
            cookie = request.cookies.get(COOKIE, "")
            session_id = session_id_of(request) or ""
            if cookie and valid_for_session(cookie, self.secret, session_id):
                state.csrf_token = cookie
            else:  # none yet, or issued for another session (before login, say)
                state.csrf_token = new_token(self.secret, session_id)
                send = self._setting_cookie(send, state.csrf_token)
            await next_app(scope, receive, send)
            return
        sent = request.headers.get(HEADER)
        content_type, _ = request.content_type
        form: dict[str, str] = {}
        if content_type == RequestEncodingType.URL_ENCODED:
            form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not sent and content_type in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            sent = (await request.form()).get(FIELD)
        ended = bool(request.cookies.get(self.session_cookie)) and not session_id_of(request)
        if not ended and (not isinstance(sent, str) or not accepted(sent, request, self.secret)):
            count_refusal(scope, CSRF_REFUSED)  # audited as counts (app.refusal_audit)
            raise _refused(request, form)
        if isinstance(sent, str):
            state.csrf_token = sent
        await next_app(scope, receive, send)

    def _setting_cookie(self, send: Send, token: str) -> Send:
        header = cookie_header(token, secure=self.secure)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableScopeHeaders.from_message(message).add("set-cookie", header)
            await send(message)

        return wrapped
