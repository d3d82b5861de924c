"""What the timeline templates need besides the items: requests and attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.attachments import attachments_by_message
from rooms.requests import requests_by_message


async def timeline_context(room_id: UUID) -> dict[str, Any]:
    return {
        "requests": await requests_by_message(room_id),
        "attachments": await attachments_by_message(room_id),
        "today": datetime.now(UTC).date(),
    }
