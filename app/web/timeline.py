"""What the timeline templates need besides the items: requests and attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.attachments import attachments_by_message
from rooms.decisions import MAX_SUMMARY_LENGTH, decisions_by_message
from rooms.requests import requests_by_message


async def timeline_context(room_id: UUID) -> dict[str, Any]:
    attachments = await attachments_by_message(room_id)
    return {
        "requests": await requests_by_message(room_id),
        "attachments": attachments,
        "today": datetime.now(UTC).date(),
        "decisions": await decisions_by_message(room_id, attachments),
        "now": datetime.now(UTC),
        "decision_summary_max": MAX_SUMMARY_LENGTH,
    }
