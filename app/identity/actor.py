"""The Actor of a connection, read from its session (HTTP and websocket alike)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler
from litestar.types import Scope

from app.identity.sessions import begin_login_session
from rooms.kernel.actors import Actor, ActorKind, StaffRole, TrustLevel

Connection = ASGIConnection[Any, Any, Any, Any]

ACTOR_KEY = "actor"
PROVIDER_KEY = "provider"


class LoginRequired(Exception):
    """Raised for an anonymous connection where a login is needed.

    The application turns it into a redirect to ``/login?next=<next_path>``.
    """

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


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


async def require_actor(connection: Connection) -> Actor:
    """The logged-in actor; raises :class:`LoginRequired` when anonymous."""
    actor = await current_actor(connection)
    if actor is None:
        url = connection.url
        raise LoginRequired(url.path + (f"?{url.query}" if url.query else ""))
    return actor


async def login_guard(connection: Connection, _: BaseRouteHandler) -> None:
    """Litestar guard: the route needs a logged-in actor."""
    await require_actor(connection)


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
