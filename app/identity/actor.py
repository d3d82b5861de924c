"""The Actor of a connection, read from its session (HTTP and websocket alike); the login
that returns to where a visitor was going."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.types import Scope

from app.identity.sessions import begin_login_session
from rooms.kernel.actors import Actor, ActorKind, StaffRole, TrustLevel

Connection = ASGIConnection[Any, Any, Any, Any]

ACTOR_KEY = "actor"
PROVIDER_KEY = "provider"
MAX_NEXT_LENGTH = 2_000
"""A longer ``next`` is dropped (it is kept in the session during the login)."""
FORM_PAGE = re.compile(r"^(/rooms/[^/]+|/admin/[^/]+)/")
"""A room's forms post below the room's page; the administration's below its section."""


class LoginRequired(Exception):
    """Raised for an anonymous request where a login is needed.

    The application answers with a redirect to :func:`login_url` of the request.
    """


def safe_next(value: str | None) -> str | None:
    """``value`` if it is a path on this site, else ``None`` (no open redirects).

    A path on this site starts with exactly one ``/``; it has no backslash (browsers
    read it as a slash) and nothing unprintable (control characters, line separators).
    """
    if not value or len(value) > MAX_NEXT_LENGTH:
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or not value.isprintable():
        return None
    return value


def return_path(connection: Connection) -> str | None:
    """Where ``connection`` was going: its path and query string (the ``next`` of a login).

    A login never returns to a POST (the browser would GET it: 405): a form's POST
    returns to the page the form came from, its same-origin Referer, or else the page
    the form belongs to (a room, a section of the administration); anything else to
    the start page (``None``).
    """
    url = connection.url
    if connection.scope.get("method", "GET") in ("GET", "HEAD"):
        return url.path + (f"?{url.query}" if url.query else "")
    referer = urlsplit(connection.headers.get("referer", ""))
    if (referer.scheme, referer.netloc) == (url.scheme, url.netloc) and referer.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    if page := FORM_PAGE.match(url.path):
        return page[1]
    return None


def login_url(connection: Connection, provider_id: str = "", *, acr: str = "") -> str:
    """The login that brings the visitor back to ``connection``'s path and query.

    The one way to send someone to log in: ``/login?next=…`` (choose a provider), or
    with ``provider_id`` straight to that provider's login (a step-up asks for ``acr``).
    A path that is not :func:`safe_next` is left out.
    """
    target = f"/login/{quote(provider_id, safe='')}" if provider_id else "/login"
    params = [f"acr={quote(acr, safe='')}"] if acr else []
    if (next_path := safe_next(return_path(connection))) is not None:
        params.append(f"next={quote(next_path, safe='/')}")
    return f"{target}?{'&'.join(params)}" if params else target


def actor_to_data(actor: Actor) -> dict[str, Any]:
    return {
        "issuer": actor.issuer,
        "subject": actor.subject,
        "name": actor.name,
        "kind": actor.kind.value,
        "trust_level": actor.trust_level.name,
        "email": actor.email,
        "organisation": actor.organisation,
        "authority_slug": actor.authority_slug,
        "roles": sorted(actor.roles),
    }


def actor_from_data(data: dict[str, Any]) -> Actor:
    return Actor(
        issuer=data["issuer"],
        subject=data["subject"],
        name=data["name"],
        kind=ActorKind(data["kind"]),
        trust_level=TrustLevel.parse(data["trust_level"]),
        email=data["email"],
        organisation=data["organisation"],
        authority_slug=data["authority_slug"],
        roles=frozenset(data["roles"]),
    )


def login_session(actor: Actor, provider_id: str) -> dict[str, Any]:
    """The session of a freshly logged-in actor (stored under a new session id)."""
    return begin_login_session({ACTOR_KEY: actor_to_data(actor), PROVIDER_KEY: provider_id})


def _actor_from_scope(scope: Scope) -> Actor | None:
    session = scope.get("session")
    data = session.get(ACTOR_KEY) if isinstance(session, dict) else None
    if not isinstance(data, dict):
        return None
    try:
        return actor_from_data(data)
    except (KeyError, ValueError, TypeError):
        return None


async def current_actor(connection: Connection) -> Actor | None:
    """The logged-in actor of a request or websocket, or ``None`` when anonymous."""
    return _actor_from_scope(connection.scope)


async def provide_actor(scope: Scope) -> Actor | None:
    return _actor_from_scope(scope)


actor_dependency = Provide(provide_actor)
"""Register as ``dependencies={"actor": actor_dependency}``; handlers take ``actor``."""


def start_page(actor: Actor) -> str:
    """Where someone's work starts: applicants with their applications, caseworkers
    with the inbox, admins without casework with the administration."""
    if not actor.is_staff:
        return "/antraege"
    if actor.is_caseworker or StaffRole.authority_admin.value not in actor.roles:
        return "/inbox"
    return "/admin"
