"""Dead letters: deliveries that gave up, and the admin's "deliver again"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.kernel import audit
from rooms.kernel.access import access_authority_admin, parse_id
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import NotFound
from rooms.kernel.tables import Room, WebhookDelivery
from rooms.kernel.vocabulary import DeliveryState


@dataclass(frozen=True)
class DeadLetter:
    id: int
    event_id: UUID
    event_type: str
    case_ref: str | None
    subscription_url: str
    attempts: int
    last_status: int | None
    last_error: str
    last_attempt_at: datetime | None
    subscription_active: bool
    """Only then can it be delivered again (a disabled subscription sends nothing)."""


async def dead_letters(authority_id: UUID, *, limit: int = 200) -> list[DeadLetter]:
    """Deliveries of the authority's subscriptions that gave up, latest first."""
    rows: list[dict[str, Any]] = (
        await WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.room,
            WebhookDelivery.attempts,
            WebhookDelivery.last_status,
            WebhookDelivery.last_error,
            WebhookDelivery.last_attempt_at,
            WebhookDelivery.event.event_id.as_alias("event_id"),
            WebhookDelivery.event.type.as_alias("event_type"),
            WebhookDelivery.subscription.url.as_alias("url"),
            WebhookDelivery.subscription.disabled_at.as_alias("disabled_at"),
        )
        .where(
            (WebhookDelivery.subscription.authority == authority_id)
            & (WebhookDelivery.state == DeliveryState.dead.value)
        )
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
    )
    room_ids = {r["room"] for r in rows if r["room"]}
    case_refs: dict[str, str] = {}
    if room_ids:
        found: list[dict[str, Any]] = await Room.select(Room.id, Room.case_ref).where(
            Room.id.is_in(list(room_ids)) & (Room.authority == authority_id)
        )
        case_refs = {str(r["id"]): r["case_ref"] for r in found}
    return [
        DeadLetter(
            id=int(r["id"]),
            event_id=parse_id(str(r["event_id"])),
            event_type=r["event_type"],
            case_ref=case_refs.get(str(r["room"])) if r["room"] else None,
            subscription_url=r["url"],
            attempts=int(r["attempts"]),
            last_status=r["last_status"],
            last_error=r["last_error"] or "",
            last_attempt_at=r["last_attempt_at"],
            subscription_active=r["disabled_at"] is None,
        )
        for r in rows
    ]


def _delivery_id(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number < 2**31:
        raise NotFound()
    return number


async def do_redeliver(
    delivery_id: int, *, authority_id: UUID, actor: Actor | None, now: datetime | None = None
) -> None:
    """Put a dead delivery of the authority back in line, from its first attempt.

    Nothing happens (and nothing is audited) when it is no longer dead (a second
    click) or its subscription was disabled (it would wait forever, out of sight).
    """
    row: dict[str, Any] | None = (
        await WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.subscription.disabled_at.as_alias("disabled_at"),
        )
        .where(
            (WebhookDelivery.id == delivery_id)
            & (WebhookDelivery.subscription.authority == authority_id)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    if row["disabled_at"] is not None:
        return
    # Conditional on the state, so that of two concurrent clicks only one counts.
    revived: list[dict[str, Any]] = (
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: DeliveryState.pending.value,
                WebhookDelivery.attempts: 0,
                WebhookDelivery.next_attempt_at: now or datetime.now(UTC),
                WebhookDelivery.claimed_until: None,
            }
        )
        .where(
            (WebhookDelivery.id == delivery_id)
            & (WebhookDelivery.state == DeliveryState.dead.value)
        )
        .returning(WebhookDelivery.id)
    )
    if not revived:
        return  # already pending or delivered: nothing to do, nothing to tell
    await audit.record(
        "webhook_redelivered",
        actor=actor,
        authority_id=authority_id,
        detail={"delivery": delivery_id},
    )


async def check_redeliver(actor: Actor, delivery_id: int | str) -> None:
    """The authority admin's "deliver again"; another authority's delivery is ``NotFound``."""
    async with write_transaction():
        admin = await access_authority_admin(actor)
        await do_redeliver(_delivery_id(delivery_id), authority_id=admin.authority_id, actor=actor)
