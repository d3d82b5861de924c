"""What the timeline templates need besides the items: requests and attachments."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.casework.attachments import attachments_by_message
from rooms.casework.decisions import MAX_SUMMARY_LENGTH, decisions_by_message
from rooms.casework.requests import requests_by_message


async def timeline_context(
    room_id: UUID, message_ids: Collection[UUID] | None = None
) -> dict[str, Any]:
    """For the whole timeline, or (live updates) only the items ``message_ids`` name."""
    attachments = await attachments_by_message(room_id, message_ids)
    return {
        "requests": await requests_by_message(room_id, message_ids),
        "attachments": attachments,
        "today": datetime.now(UTC).date(),
        "decisions": await decisions_by_message(room_id, attachments, message_ids),
        "now": datetime.now(UTC),
        "decision_summary_max": MAX_SUMMARY_LENGTH,
    }
