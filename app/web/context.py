"""What every page handler needs: the actor, or a login redirect."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from app.identity.actor import LoginRequired
from rooms.kernel.actors import Actor

# The logged-in actor (or None), injected by the identity layer's `actor` dependency.
MaybeActor = NamedDependency[Actor | None]


def need_actor(request: Request[Any, Any, Any], actor: Actor | None) -> Actor:
    """The login gate of every page: ``actor``, or :class:`LoginRequired` when anonymous
    (answered with a redirect to the login that returns to this path and query)."""
    if actor is None:
        raise LoginRequired()
    request.state.actor = actor
    return actor


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"
