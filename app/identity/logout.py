"""Logout: OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0.

At login the session records the provider's ``iss``, ``sub``, ``sid`` and the raw ID
token (``OIDC_KEY``), and names two index entries, ``(iss, "sid", sid)`` and
``(iss, "sub", sub)`` (``INDEX_KEY``); the session backend adds the session's id to
both (``app.identity.sessions``). A back-channel logout token names a ``sid`` or a
``sub``: its index entry lists the sessions to end.

Open websockets learn of an ended session through the live channel: each socket also
subscribes to ``session:<sha256(session id)>``; ending a session publishes
``SESSION_ENDED`` there, and the socket closes with 4401.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from joserfc import jws
from joserfc.errors import JoseError
from litestar import Litestar, Request, Response, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency

from app.identity.actor import ACTOR_KEY, actor_from_data
from app.identity.id_tokens import CLOCK_LEEWAY
from app.identity.oidc import (
    Provider,
    ProviderUnavailable,
    RelyingParty,
    SignatureInvalid,
)
from app.identity.sessions import (
    INDEX_KEY,
    SESSION_STORE_NAME,
    index_key,
    read_index,
    session_id_of,
)
from rooms.kernel import audit
from rooms.kernel.actors import Actor

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.stores.base import Store

    Connection = ASGIConnection[Any, Any, Any, Any]

log = logging.getLogger(__name__)

OIDC_KEY = "oidc"
"""Session key: ``{"iss", "sub", "sid", "id_token"}`` of the login."""
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE = 300
"""Seconds after its ``iat`` that a logout token is accepted (plus clock leeway)."""
MAX_TOKEN_LENGTH = 16_384
SESSION_ENDED = b"session-ended"
"""Published on a session's channel when the session ends."""
NO_STORE = {"Cache-Control": "no-store"}


# --- at login ---------------------------------------------------------------------------


def login_record(issuer: str, claims: dict[str, Any], id_token: str) -> dict[str, Any]:
    """Session entries that make a login reachable for logouts (merge into the session)."""
    sub, sid = claims.get("sub"), claims.get("sid")
    record = {"iss": issuer, "sub": sub, "sid": sid if isinstance(sid, str) else None}
    index = [index_key(issuer, "sub", str(sub))]
    if isinstance(sid, str) and sid:
        index.append(index_key(issuer, "sid", sid))
    return {OIDC_KEY: {**record, "id_token": id_token}, INDEX_KEY: index}


# --- websockets -------------------------------------------------------------------------


def _channel(session_id: str) -> str:
    return f"session:{hashlib.sha256(session_id.encode()).hexdigest()[:32]}"


def session_channels(connection: Connection) -> list[str]:
    """The channel announcing the end of this connection's session ([] when none)."""
    session_id = session_id_of(connection)
    return [_channel(session_id)] if session_id else []


async def session_alive(connection: Connection) -> bool:
    """Whether the connection's session (if it has one) is still in the store.

    A socket asks once after subscribing to :func:`session_channels`: a session that
    ended before the subscription is caught here, every later end by the channel.
    """
    session_id = session_id_of(connection)
    if session_id is None:
        return True
    store = connection.app.stores.get(SESSION_STORE_NAME)
    return await store.exists(session_id)


def is_session_end(raw: bytes | str) -> bool:
    """Whether a channel event announces the end of the session."""
    return raw in (SESSION_ENDED, SESSION_ENDED.decode())


def announce_session_end(app: Litestar, session_ids: list[str]) -> None:
    """Tell the open websockets of these sessions (on any instance) to close."""
    if not session_ids:
        return
    try:
        channels = app.plugins.get(ChannelsPlugin)
    except KeyError:
        return
    channels.publish(SESSION_ENDED, channels=[_channel(i) for i in session_ids])


# --- RP-initiated logout ----------------------------------------------------------------


async def provider_logout_url(
    relying_party: RelyingParty, app: Litestar, session: dict[str, Any], provider_id: Any
) -> str | None:
    """The provider's end-session URL for this session, if it has one and answers."""
    provider = relying_party.providers.get(provider_id) if isinstance(provider_id, str) else None
    record = session.get(OIDC_KEY)
    id_token = record.get("id_token") if isinstance(record, dict) else None
    if provider is None or not isinstance(id_token, str):
        return None
    try:
        return await relying_party.end_session_url(provider, app, id_token)
    except ProviderUnavailable:
        log.warning("logout: provider %s unavailable, local logout only", provider.id)
        return None


# --- back-channel logout ----------------------------------------------------------------


class LogoutTokenInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LogoutRequest:
    provider: Provider
    issuer: str
    sub: str | None
    sid: str | None
    jti: str
    remember_for: int
    """Seconds the ``jti`` must be remembered: as long as the token would be accepted."""


def _unverified_issuer(token: str) -> str:
    try:
        payload = jws.extract_compact(token.encode()).payload
        claims = json.loads(payload)
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise LogoutTokenInvalid("malformed") from exc
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(issuer, str):
        raise LogoutTokenInvalid("issuer")
    return issuer


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_logout_claims(
    claims: dict[str, Any], providers: list[Provider], at: float
) -> LogoutRequest:
    """Back-Channel Logout 1.0, 2.6: the claims of a signature-checked logout token.

    ``providers`` are those with the token's issuer; the audience picks one.
    """
    issuer = claims.get("iss")
    candidates = [p for p in providers if p.issuer == issuer]
    if not isinstance(issuer, str) or not candidates:
        raise LogoutTokenInvalid("issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    provider = next((p for p in candidates if p.client_id in audiences), None)
    if provider is None:
        raise LogoutTokenInvalid("audience")
    raw_iat, exp, nbf = claims.get("iat"), claims.get("exp"), claims.get("nbf")
    if not _number(raw_iat) or raw_iat > at + CLOCK_LEEWAY:
        raise LogoutTokenInvalid("iat")
    iat = float(raw_iat)
    if at - iat > LOGOUT_TOKEN_MAX_AGE + CLOCK_LEEWAY:
        raise LogoutTokenInvalid("expired")
    if exp is not None and (not _number(exp) or exp <= at - CLOCK_LEEWAY):
        raise LogoutTokenInvalid("expired")
    if nbf is not None and (not _number(nbf) or nbf > at + CLOCK_LEEWAY):
        raise LogoutTokenInvalid("nbf")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 256:
        raise LogoutTokenInvalid("jti")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
        raise LogoutTokenInvalid("events")
    if "nonce" in claims:
        raise LogoutTokenInvalid("nonce")
    sub, sid = claims.get("sub"), claims.get("sid")
    if sub is not None and (not isinstance(sub, str) or not sub):
        raise LogoutTokenInvalid("sub")
    if sid is not None and (not isinstance(sid, str) or not sid):
        raise LogoutTokenInvalid("sid")
    if sub is None and sid is None:
        raise LogoutTokenInvalid("sub")
    deadline = iat + LOGOUT_TOKEN_MAX_AGE
    if exp is not None:
        deadline = min(deadline, exp)
    remember_for = max(1, int(deadline + CLOCK_LEEWAY - at) + 1)
    return LogoutRequest(provider, issuer, sub, sid, jti, remember_for)


async def validate_logout_token(
    relying_party: RelyingParty, app: Litestar, token: Any
) -> LogoutRequest:
    """Check a logout token completely except for replay (see :func:`remember_jti`).

    Raises :class:`LogoutTokenInvalid` or :class:`ProviderUnavailable`.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise LogoutTokenInvalid("missing")
    issuer = _unverified_issuer(token)
    providers = [p for p in relying_party.providers.values() if p.issuer == issuer]
    if not providers:
        raise LogoutTokenInvalid("issuer")
    try:
        claims = await relying_party.verify_signature(providers[0], app, token)
    except SignatureInvalid as exc:
        raise LogoutTokenInvalid("signature") from exc
    return check_logout_claims(claims, providers, time.time())


def _jti_key(request: LogoutRequest) -> str:
    digest = hashlib.sha256(f"{request.issuer}\x1f{request.jti}".encode()).hexdigest()
    return f"jti:{digest}"


async def remember_jti(store: Store, request: LogoutRequest) -> bool:
    """Record the token's ``jti``; ``False`` if it was seen before (a replay)."""
    key = _jti_key(request)
    if await store.exists(key):
        return False
    await store.set(key, b"1", expires_in=request.remember_for)
    return True


async def _load(store: Store, session_id: str) -> dict[str, Any] | None:
    raw = await store.get(session_id)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _session_actor(data: dict[str, Any]) -> Actor | None:
    try:
        return actor_from_data(data[ACTOR_KEY])
    except (KeyError, ValueError, TypeError):
        return None


async def end_sessions(app: Litestar, store: Store, request: LogoutRequest) -> list[Actor | None]:
    """End every session the logout token names; return the actors of those ended."""
    if request.sid is not None:
        key = index_key(request.issuer, "sid", request.sid)
    else:
        key = index_key(request.issuer, "sub", str(request.sub))
    ended: list[str] = []
    actors: list[Actor | None] = []
    for session_id in await read_index(store, key):
        data = await _load(store, session_id)
        record = data.get(OIDC_KEY) if data else None
        if data is None or not isinstance(record, dict) or record.get("iss") != request.issuer:
            continue
        if request.sub is not None and record.get("sub") != request.sub:
            continue  # both sid and sub named: the session must match both
        await store.delete(session_id)
        ended.append(session_id)
        actors.append(_session_actor(data))
    if request.sub is None or request.sid is None:
        await store.delete(key)  # every session listed there has ended
    announce_session_end(app, ended)
    return actors


def _refusal(error: str, description: str) -> Response[dict[str, str]]:
    body = {"error": error, "error_description": description}
    return Response(body, status_code=400, headers=NO_STORE)


async def _audit(actor: Actor | None, outcome: str, detail: dict[str, Any]) -> None:
    try:
        await audit.record("logout", actor=actor, outcome=outcome, detail=detail)
    except Exception:  # the audit trail must not turn a logout into an error
        log.exception("back-channel logout: audit event not recorded")


@post("/auth/backchannel-logout", name="identity:backchannel_logout", status_code=200)
async def backchannel_logout(
    request: Request[Any, Any, Any], relying_party: NamedDependency[RelyingParty]
) -> Response[Any]:
    """Back-Channel Logout 1.0: the provider ends sessions server to server."""
    app = request.app
    try:
        form = await request.form()
        logout = await validate_logout_token(relying_party, app, form.get("logout_token"))
    except LogoutTokenInvalid as exc:
        await _audit(None, "failed", {"via": "backchannel", "reason": exc.reason})
        return _refusal("invalid_request", f"logout token refused: {exc.reason}")
    except ProviderUnavailable:
        await _audit(None, "failed", {"via": "backchannel", "reason": "unavailable"})
        return _refusal("temporarily_unavailable", "the provider's keys are unavailable")
    except Exception:
        log.exception("back-channel logout: request not understood")
        return _refusal("invalid_request", "request not understood")
    store = app.stores.get(SESSION_STORE_NAME)
    detail = {"via": "backchannel", "provider": logout.provider.id}
    try:
        if not await remember_jti(store, logout):
            await _audit(None, "failed", {**detail, "reason": "replay"})
            return _refusal("invalid_request", "logout token refused: replay")
        actors = await end_sessions(app, store, logout)
    except Exception:
        log.exception("back-channel logout failed")
        try:
            await store.delete(_jti_key(logout))  # the provider may retry
        except Exception:
            log.exception("back-channel logout: jti not forgotten")
        return _refusal("logout_failed", "the sessions could not be ended")
    for actor in actors:
        await _audit(actor, "ok", detail)
    if not actors:
        await _audit(None, "ok", {**detail, "sessions": 0})
    return Response(b"", status_code=200, headers=NO_STORE, media_type="text/plain")
