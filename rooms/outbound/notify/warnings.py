"""What the caseworker sees of notifications: the room's undeliverable notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Notification
from rooms.kernel.vocabulary import NotificationState, Side


@dataclass(frozen=True)
class UndeliverableNotice:
    recipient_name: str
    channel: str
    address: str
    reason: str
    error: str
    created_at: datetime


async def notification_warnings(access: RoomAccess) -> list[UndeliverableNotice]:
    """Undeliverable notices of the room, for its caseworkers only (empty for applicants)."""
    if access.side is not Side.authority:
        return []
    rows: list[dict[str, Any]] = (
        await Notification.select(
            Notification.recipient_name,
            Notification.channel,
            Notification.address,
            Notification.reason,
            Notification.last_error,
            Notification.created_at,
        )
        .where(
            (Notification.room == access.room.id)
            & (Notification.state == NotificationState.undeliverable.value)
        )
        .order_by(Notification.created_at, ascending=False)
        .limit(20)
    )
    return [
        UndeliverableNotice(
            recipient_name=r["recipient_name"],
            channel=r["channel"],
            address=r["address"],
            reason=r["reason"],
            error=r["last_error"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
