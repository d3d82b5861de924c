"""Webhook deliveries: planned with the event, claimed with a lease, marked by the worker.

Every event of the authority plans one delivery per active subscription that wants
its type, in the event's transaction. Delivery workers (one per instance, any
number) claim due deliveries with a lease:

- on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers get
  disjoint rows; on SQLite the IMMEDIATE write transaction serialises them;
- only the oldest pending delivery of each (subscription, room) is eligible, so a
  room's events arrive in order; a dead letter no longer holds its room back;
- a lease that ran out (a worker killed between sending and marking) makes the
  delivery claimable again: at least once, with the event's stable id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from piccolo.columns.combination import WhereRaw

from rooms.kernel.access import parse_id
from rooms.kernel.db import write_transaction
from rooms.kernel.tables import WebhookDelivery, WebhookSubscription
from rooms.kernel.vocabulary import DeliveryState
from rooms.outbound.leases import claim_with_lease


@dataclass(frozen=True)
class Claim:
    """A delivery a worker holds until ``claimed_until``: what to send, and where."""

    id: int
    attempts: int
    """Including this one: the fence of :func:`do_mark_failed`."""
    claimed_until: datetime
    url: str
    secret: str
    event_id: UUID
    cursor: int
    type: str
    room_id: UUID | None
    occurred_at: datetime
    data: dict[str, Any]


# --- planning (in the event's transaction) -----------------------------------------------


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


# --- the worker's side: claim, mark -------------------------------------------------------

# Only the oldest pending delivery of a (subscription, room) may go out: per-room order.
_OLDEST_OF_ITS_ROOM = WhereRaw(
    "NOT EXISTS (SELECT 1 FROM webhook_delivery AS earlier"
    " WHERE earlier.subscription = webhook_delivery.subscription"
    " AND earlier.room = webhook_delivery.room"
    " AND earlier.state = 'pending' AND earlier.id < webhook_delivery.id)"
)


def _due(now: datetime) -> Any:
    return (
        (WebhookDelivery.state == DeliveryState.pending.value)
        & (WebhookDelivery.next_attempt_at <= now)
        & (WebhookDelivery.claimed_until.is_null() | (WebhookDelivery.claimed_until <= now))
        & WebhookDelivery.subscription.disabled_at.is_null()
        & _OLDEST_OF_ITS_ROOM
    )


async def claim_due(now: datetime, *, lease_seconds: float, limit: int = 20) -> list[Claim]:
    """Claim up to ``limit`` due deliveries until ``now + lease``; counts the attempt."""
    until = now + timedelta(seconds=lease_seconds)
    # Oldest first; the lease (``claimed_until``) is taken on the delivery rows only,
    # not on the joined subscription. What to send is read in the claim's transaction.
    async with claim_with_lease(
        WebhookDelivery,
        due=_due(now),
        order_by=WebhookDelivery.id,
        limit=limit,
        lease={
            WebhookDelivery.claimed_until: until,
            WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
            WebhookDelivery.last_attempt_at: now,
        },
        key=int,
    ) as ids:
        if not ids:
            return []
        details: list[dict[str, Any]] = (
            await WebhookDelivery.select(
                WebhookDelivery.id,
                WebhookDelivery.attempts,
                WebhookDelivery.subscription.url.as_alias("url"),
                WebhookDelivery.subscription.secret.as_alias("secret"),
                WebhookDelivery.event.id.as_alias("cursor"),
                WebhookDelivery.event.event_id.as_alias("event_id"),
                WebhookDelivery.event.type.as_alias("type"),
                WebhookDelivery.event.room.as_alias("room"),
                WebhookDelivery.event.occurred_at.as_alias("occurred_at"),
                WebhookDelivery.event.data.as_alias("data"),
            )
            .where(WebhookDelivery.id.is_in(ids))
            .order_by(WebhookDelivery.id)
            .output(load_json=True)
        )
    return [
        Claim(
            id=int(r["id"]),
            attempts=int(r["attempts"]),
            claimed_until=until,
            url=r["url"],
            secret=r["secret"],
            event_id=parse_id(str(r["event_id"])),
            cursor=int(r["cursor"]),
            type=r["type"],
            room_id=parse_id(str(r["room"])) if r["room"] else None,
            occurred_at=r["occurred_at"],
            data=dict(r["data"] or {}),
        )
        for r in details
    ]


async def do_mark_delivered(claim: Claim, now: datetime, *, status: int) -> None:
    """Delivered, even if the lease ran out meanwhile: the receiver has it."""
    async with write_transaction():
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: DeliveryState.delivered.value,
                WebhookDelivery.delivered_at: now,
                WebhookDelivery.last_status: status,
                WebhookDelivery.last_error: "",
                WebhookDelivery.claimed_until: None,
            }
        ).where(
            (WebhookDelivery.id == claim.id)
            & (WebhookDelivery.state == DeliveryState.pending.value)
        )


def retry_delay(
    attempts: int, delays: Sequence[float], *, jitter: float, rand: Callable[[], float]
) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones; None: give up.

    ``rand()`` returns a number in [0, 1); the delay varies by ±``jitter`` of itself.
    """
    if attempts < 1 or attempts > len(delays):
        return None
    base = float(delays[attempts - 1])
    return base * (1 + jitter * (2 * rand() - 1))


async def do_mark_failed(
    claim: Claim, now: datetime, *, status: int | None, error: str, retry_in: float | None
) -> DeliveryState:
    """Schedule the next attempt (or dead-letter when ``retry_in`` is None).

    Fenced by the attempt count: a worker whose lease ran out and whose delivery
    another worker claimed since cannot overwrite the newer attempt's outcome.
    """
    state = DeliveryState.dead if retry_in is None else DeliveryState.pending
    values: dict[Any, Any] = {
        WebhookDelivery.state: state.value,
        WebhookDelivery.last_status: status,
        WebhookDelivery.last_error: error[:500],
        WebhookDelivery.claimed_until: None,
    }
    if retry_in is not None:
        values[WebhookDelivery.next_attempt_at] = now + timedelta(seconds=retry_in)
    async with write_transaction():
        await WebhookDelivery.update(values).where(
            (WebhookDelivery.id == claim.id)
            & (WebhookDelivery.state == DeliveryState.pending.value)
            & (WebhookDelivery.attempts == claim.attempts)
        )
    return state
