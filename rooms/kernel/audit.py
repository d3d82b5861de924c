"""Audit events: pseudonymous facts, never message bodies, file contents or tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from rooms.kernel.actors import MachineClient, Principal
from rooms.kernel.tables import AuditEvent

# Keys that must never reach the audit trail, whatever a caller passes.
_FORBIDDEN_DETAIL_KEYS = frozenset({"body", "text", "token", "password", "content", "email"})


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
        )
    )
