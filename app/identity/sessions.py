"""Server-side sessions with id rotation, idle and absolute timeouts.

Litestar's server-side backend keeps a session id for the life of its cookie and
stores whatever id a client presents. This backend:

- issues a fresh id whenever the session holds ``ROTATE_KEY`` (set at login: session
  fixation defence) or the presented id is unknown or expired, and deletes the old one;
- stores nothing and sets no cookie for an empty session (anonymous visitors);
- treats a session idle longer than the idle timeout, or older than the absolute
  timeout since login, as gone: deleted from the store and loaded as empty
  (:func:`session_ends_at` tells an open websocket when that will be);
- never writes back a session that ended (was deleted) while a request was in flight;
- records each new id of a session holding ``INDEX_KEY`` in the store's index entries
  named there, so that a back-channel logout can find every session of a user.

The store cannot be searched, so the index lives in the same store: an index entry
(``index:<sha256>``) holds a JSON list of session ids and lives as long as a session may.
Only keys shaped like generated session ids are ever loaded as sessions.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.utils.dataclass import extract_dataclass_items

from app.settings import Settings

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.stores.base import Store
    from litestar.types import Message, ScopeSession

    Connection = ASGIConnection[Any, Any, Any, Any]

SESSION_STORE_NAME = "sessions"
ROTATE_KEY = "_rotate"
"""Set to ``True`` in a session to have it stored under a new id."""
LOGIN_AT_KEY = "_login_at"
SEEN_AT_KEY = "_seen_at"
INDEX_KEY = "_index"
"""The index entries (see :func:`index_key`) that list this session's id."""
_KNOWN_ID = "antragsraum.session_id"
"""Scope-state key: the id of the session loaded for this connection, if any."""
_SESSION_ID = re.compile(r"[0-9a-f]{16,128}")


def now() -> float:
    """Seconds since the epoch; fractions kept, so that short timeouts are exact."""
    return time.time()


def _stamp(value: object) -> float | None:
    """A stored time stamp (older sessions hold whole seconds)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def index_key(*parts: str) -> str:
    """The store key of the index entry for ``parts`` (e.g. issuer, "sid", sid)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"index:{digest}"


def session_id_of(connection: Connection) -> str | None:
    """The id of the stored session this connection presented, if any."""
    known: str | None = connection.scope.get("state", {}).get(_KNOWN_ID)
    return known


async def read_index(store: Store, key: str) -> list[str]:
    raw = await store.get(key)
    if raw is None:
        return []
    try:
        ids = msgspec.json.decode(raw, type=list[str])
    except msgspec.DecodeError:
        return []
    return [i for i in ids if _SESSION_ID.fullmatch(i)]


async def add_to_index(store: Store, keys: list[str], session_id: str, lifetime: int) -> None:
    """Record ``session_id`` under each index entry, dropping ids of ended sessions.

    Read-modify-write: two logins of one user in the same instant may lose one entry;
    its session then ends only by its own logout or timeout.
    """
    for key in keys:
        ids = [i for i in await read_index(store, key) if i != session_id and await store.exists(i)]
        await store.set(key, msgspec.json.encode([*ids, session_id]), expires_in=lifetime)


class RotatingSessionBackend(ServerSideSessionBackend):
    config: RotatingSessionConfig

    async def load_from_connection(self, connection: Connection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if not session_id or not _SESSION_ID.fullmatch(session_id):
            return {}  # never look up an index entry or other non-session key
        store = self.config.get_store_from_app(connection.scope["app"])
        raw = await self.get(session_id, store=store)
        if raw is None:
            return {}
        data = self.deserialize_data(raw)
        if not isinstance(data, dict) or self.config.is_expired(data, now()):
            await self.delete(session_id, store=store)
            return {}
        connection.scope.setdefault("state", {})[_KNOWN_ID] = session_id
        del data[SEEN_AT_KEY]  # bookkeeping: written afresh with every response
        return data

    def get_session_id(self, connection: Connection) -> str | None:  # type: ignore[override]
        # The abstract base allows None ("no session yet"); Litestar's server-side
        # backend narrowed it to always invent an id, which this backend must not do.
        return session_id_of(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: Connection
    ) -> None:
        store = self.config.get_store_from_app(connection.scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        known_id = self.get_session_id(connection)
        cookie_params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        session = scope_session if isinstance(scope_session, dict) else {}  # Empty: cleared
        rotate = bool(session.pop(ROTATE_KEY, False))
        # A session that ended while this request ran (a logout elsewhere, a
        # back-channel logout) is not written back: that would revive it.
        ended = bool(known_id and session and not rotate and not await store.exists(known_id))
        if not session or ended:
            if known_id:
                await self.delete(known_id, store=store)
            if connection.cookies.get(self.config.key):
                cookie = Cookie(value="null", key=self.config.key, expires=0, **cookie_params)
                headers.add("Set-Cookie", cookie.to_header(header=""))
            return
        if known_id and rotate:
            await self.delete(known_id, store=store)
        session_id = known_id if known_id and not rotate else self.generate_session_id()
        session[SEEN_AT_KEY] = now()
        data = self.serialize_data(session, connection.scope)
        await self.set(session_id=session_id, data=data, store=store)
        index = session.get(INDEX_KEY)
        if session_id != known_id and isinstance(index, list) and index:
            lifetime = math.ceil(self.config.absolute_timeout)
            await add_to_index(store, [str(k) for k in index], session_id, lifetime)
        cookie = Cookie(value=session_id, key=self.config.key, **cookie_params)
        headers.add("Set-Cookie", cookie.to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend

    idle_timeout: float = 30 * 60
    """Seconds without a request after which a session ends."""
    absolute_timeout: float = 12 * 60 * 60
    """Seconds after login after which a session ends, however active."""

    def ends_at(self, data: dict[str, Any]) -> float | None:
        """When the stored session ``data`` ends unless a request renews it (None: now)."""
        seen_at = _stamp(data.get(SEEN_AT_KEY))
        if seen_at is None:
            return None
        end = seen_at + self.idle_timeout
        login_at = _stamp(data.get(LOGIN_AT_KEY))
        return end if login_at is None else min(end, login_at + self.absolute_timeout)

    def is_expired(self, data: dict[str, Any], at: float) -> bool:
        end = self.ends_at(data)
        return end is None or at > end


def make_session_config(settings: Settings) -> RotatingSessionConfig:
    idle = settings.sessions.idle_timeout_minutes * 60
    return RotatingSessionConfig(
        key=settings.sessions.cookie_name,
        store=SESSION_STORE_NAME,
        max_age=math.ceil(idle),
        httponly=True,
        samesite="lax",
        secure=settings.sessions.cookie_secure,
        idle_timeout=idle,
        absolute_timeout=settings.sessions.absolute_timeout_hours * 60 * 60,
    )


def make_session_store(settings: Settings) -> Store:
    backend = settings.sessions.backend
    if backend == "memory":
        return MemoryStore()
    if backend == "file":
        return FileStore(settings.data_path / "sessions", create_directories=True)
    from litestar.stores.redis import RedisStore  # imported only when configured

    sessions = settings.sessions
    return RedisStore.with_client(url=sessions.redis_url, namespace=sessions.redis_namespace)


def begin_login_session(data: dict[str, Any]) -> dict[str, Any]:
    """A fresh session for a user who just logged in: new id, login time stamped."""
    return {**data, LOGIN_AT_KEY: now(), ROTATE_KEY: True}


async def session_ends_at(connection: Connection) -> float | None:
    """When the connection's stored session ends by time (None: it has ended).

    A websocket is no request: it renews nothing and must end with the session. Requests
    of the same session (another tab) push the end out, so a socket asks again then.
    """
    session_id = session_id_of(connection)
    if session_id is None:
        return None
    config = make_session_config(connection.app.state.settings)
    raw = await connection.app.stores.get(SESSION_STORE_NAME).get(session_id)
    if raw is None:
        return None
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    return config.ends_at(data) if isinstance(data, dict) else None
