"""Content-free notifications to applicants and caseworkers, planned from events."""

from __future__ import annotations

from typing import Any
from uuid import UUID


async def do_plan_notifications(
    event_id: UUID,
    *,
    event_type: str,
    authority_id: UUID,
    room_id: UUID | None,
    data: dict[str, Any],
) -> None:
    """Record the notifications an event sets off, in the event's transaction."""
    # Filled in by the notifications feature (who is told of what, on which channel).
    return None
