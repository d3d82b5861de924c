"""Webhook subscriptions of authorities and the deliveries their events set off."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from rooms.tables import WebhookDelivery, WebhookSubscription


async def do_plan_deliveries(
    event_pk: int, *, event_type: str, authority_id: UUID, room_id: UUID | None
) -> None:
    """One pending delivery per active subscription that wants this type.

    Runs inside the event's transaction: no delivery without its event.
    """
    subscriptions: list[dict[str, Any]] = (
        await WebhookSubscription.select(WebhookSubscription.id, WebhookSubscription.event_types)
        .where(
            (WebhookSubscription.authority == authority_id)
            & WebhookSubscription.disabled_at.is_null()
        )
        .output(load_json=True)
    )
    wanted = [s for s in subscriptions if not s["event_types"] or event_type in s["event_types"]]
    if wanted:
        await WebhookDelivery.insert(
            *(WebhookDelivery(event=event_pk, subscription=s["id"], room=room_id) for s in wanted)
        )
