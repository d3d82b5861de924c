"""Audit events: pseudonymous facts, never message bodies, file contents or tokens.

Each event keeps the client address of the request it came from (``source``). The
actions do not know the request: the web app sets the address for the request's
context (:func:`from_source`, in ``app.audit_source``) and :func:`record` reads it. A
worker's own events run in a context that no request set, and keep none ("").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from rooms.kernel.actors import MachineClient, Principal
from rooms.kernel.tables import AuditEvent

# Keys that must never reach the audit trail, whatever a caller passes.
_FORBIDDEN_DETAIL_KEYS = frozenset({"body", "text", "token", "password", "content", "email"})

_source: ContextVar[str] = ContextVar("audit_source", default="")


@contextmanager
def from_source(address: str) -> Iterator[None]:
    """Events recorded inside the block (in this context) come from ``address``."""
    token = _source.set(address)
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


async def record(
    action: str,
    *,
    actor: Principal | None,
    outcome: str = "ok",
    room_id: UUID | None = None,
    authority_id: UUID | None = None,
    detail: dict[str, Any] | None = None,
    machine: str | None = None,
) -> None:
    """Write one audit event for a person or a case store (``machine``: another machine)."""
    clean = {k: v for k, v in (detail or {}).items() if k not in _FORBIDDEN_DETAIL_KEYS}
    if isinstance(actor, MachineClient):
        who, kind = actor.audit_name, "machine"
    elif actor is not None:
        who, kind = actor.pseudonym, actor.kind.value
    elif machine is not None:
        who, kind = machine, "machine"
    else:
        who, kind = "", "anonymous"
    await AuditEvent.insert(
        AuditEvent(
            action=action,
            outcome=outcome,
            actor=who,
            actor_kind=kind,
            room=room_id,
            authority=authority_id,
            detail=clean,
            source=_source.get(),
        )
    )
