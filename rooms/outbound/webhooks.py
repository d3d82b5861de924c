"""Webhook subscriptions of authorities and the deliveries their events set off.

A subscription is an endpoint an authority's admin configured (never a URL from
request data) with its own signing secret. Every event of the authority plans one
delivery per active subscription that wants its type, in the event's transaction.
Delivery workers (one per instance, any number) claim due deliveries with a lease:

- on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers get
  disjoint rows; on SQLite the IMMEDIATE write transaction serialises them;
- only the oldest pending delivery of each (subscription, room) is eligible, so a
  room's events arrive in order; a dead letter no longer holds its room back;
- a lease that ran out (a worker killed between sending and marking) makes the
  delivery claimable again: at least once, with the event's stable id.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine

from rooms.kernel import audit
from rooms.kernel.access import access_authority_admin, parse_id
from rooms.kernel.actors import Actor
from rooms.kernel.db import engine, write_transaction
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import (
    Authority,
    DeliveryState,
    Room,
    WebhookDelivery,
    WebhookSubscription,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32
MAX_URL_LENGTH = 2000

# Why a URL was refused: the key of ``Invalid.errors["url"]`` and its explanation.
URL_PROBLEMS = {
    "url_invalid": "the URL must be an absolute http:// or https:// URL with a host",
    "url_not_https": "the URL must use https:// (required in production)",
    "url_credentials": "the URL must not contain a user name or password",
    "url_too_long": f"the URL must be at most {MAX_URL_LENGTH} characters long",
    "url_private": (
        "the URL points into a non-public network that webhooks.private_networks does not allow"
    ),
    "types_unknown": "unknown event type",
}


@dataclass(frozen=True)
class SubscriptionView:
    id: UUID
    authority_id: UUID
    url: str
    event_types: list[str]
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


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


# --- subscriptions ---------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def destination_allowed(address: str, private_networks: Sequence[str] | None) -> bool:
    """May a webhook be sent to this IP address?

    Public (globally routable) addresses always; loopback, private, link-local,
    shared and reserved ones only inside ``private_networks`` (``None``: any). An
    authority's admin chooses the URL, so without this check the portal could be
    made to post into its own network (cloud metadata, internal services).
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global or private_networks is None:
        return True
    return any(ip in ipaddress.ip_network(n, strict=False) for n in private_networks)


def _literal_address(host: str) -> str | None:
    """The address a host names without DNS (an IP literal, or localhost), else None."""
    if host.lower() in {"localhost", "localhost."} or host.lower().endswith(".localhost"):
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def validate_url(
    url: str, *, require_https: bool, private_networks: Sequence[str] | None = None
) -> str:
    """The URL as stored, or ``Invalid({"url": <key of URL_PROBLEMS>})``.

    A host given as an address (or localhost) is checked against ``private_networks``
    here; names are resolved and checked by the worker before each delivery.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Invalid({"url": "url_too_long"})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise Invalid({"url": "url_invalid"}) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname or any(c.isspace() for c in url):
        raise Invalid({"url": "url_invalid"})
    try:
        parts.hostname.encode("idna")  # what the resolver needs: labels of 1-63 characters
    except UnicodeError:
        raise Invalid({"url": "url_invalid"}) from None
    if parts.username is not None or parts.password is not None:
        raise Invalid({"url": "url_credentials"})
    if require_https and parts.scheme != "https":
        raise Invalid({"url": "url_not_https"})
    literal = _literal_address(parts.hostname)
    if literal is not None and not destination_allowed(literal, private_networks):
        raise Invalid({"url": "url_private"})
    return url


def _validate_types(event_types: Sequence[str]) -> list[str]:
    from rooms.outbound.outbox import EVENT_TYPES  # outbox imports this module

    chosen = sorted({t.strip() for t in event_types if t.strip()})
    if any(t not in EVENT_TYPES for t in chosen):
        raise Invalid({"event_types": "types_unknown"})
    return chosen


def _view(row: dict[str, Any]) -> SubscriptionView:
    return SubscriptionView(
        id=parse_id(str(row["id"])),
        authority_id=parse_id(str(row["authority"])),
        url=row["url"],
        event_types=list(row["event_types"] or []),
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
    )


async def do_create_subscription(
    authority_id: UUID,
    url: str,
    event_types: Sequence[str] = (),
    *,
    require_https: bool,
    private_networks: Sequence[str] | None = None,
    actor: Actor | None = None,
    machine: str | None = None,
) -> tuple[SubscriptionView, str]:
    """Create a subscription; its secret is returned here, once, and never shown again."""
    url = validate_url(url, require_https=require_https, private_networks=private_networks)
    types = _validate_types(event_types)
    secret = new_secret()
    subscription = WebhookSubscription(
        authority=authority_id, url=url, secret=secret, event_types=types
    )
    await subscription.save()
    await audit.record(
        "webhook_subscription_created",
        actor=actor,
        machine=machine,
        authority_id=authority_id,
        detail={"subscription": str(subscription.id), "url": url, "event_types": types},
    )
    row = await _subscription_row(parse_id(str(subscription.id)))
    assert row is not None
    return _view(row), secret


async def check_create_subscription(
    actor: Actor,
    url: str,
    event_types: Sequence[str] = (),
    *,
    require_https: bool,
    private_networks: Sequence[str] | None = None,
) -> tuple[SubscriptionView, str]:
    async with write_transaction():
        admin = await access_authority_admin(actor)
        return await do_create_subscription(
            admin.authority_id,
            url,
            event_types,
            require_https=require_https,
            private_networks=private_networks,
            actor=actor,
        )


async def _subscription_row(subscription_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await WebhookSubscription.select(
            WebhookSubscription.id,
            WebhookSubscription.authority,
            WebhookSubscription.url,
            WebhookSubscription.event_types,
            WebhookSubscription.created_at,
            WebhookSubscription.disabled_at,
        )
        .where(WebhookSubscription.id == subscription_id)
        .output(load_json=True)
        .first()
    )
    return row


async def do_disable_subscription(
    subscription_id: UUID | str,
    *,
    authority_id: UUID | None,
    actor: Actor | None = None,
    machine: str | None = None,
) -> SubscriptionView:
    """Disable it (no further deliveries); ``authority_id`` None: any authority (the CLI)."""
    row = await _subscription_row(parse_id(subscription_id))
    if row is None:
        raise NotFound()
    if authority_id is not None and parse_id(str(row["authority"])) != authority_id:
        raise NotFound()
    if row["disabled_at"] is None:
        await WebhookSubscription.update(
            {WebhookSubscription.disabled_at: datetime.now(UTC)}
        ).where(WebhookSubscription.id == row["id"])
        await audit.record(
            "webhook_subscription_disabled",
            actor=actor,
            machine=machine,
            authority_id=parse_id(str(row["authority"])),
            detail={"subscription": str(row["id"])},
        )
    found = await _subscription_row(parse_id(str(row["id"])))
    assert found is not None
    return _view(found)


async def check_disable_subscription(actor: Actor, subscription_id: str) -> SubscriptionView:
    async with write_transaction():
        admin = await access_authority_admin(actor)
        return await do_disable_subscription(
            subscription_id, authority_id=admin.authority_id, actor=actor
        )


async def subscriptions(authority_id: UUID | None = None) -> list[SubscriptionView]:
    """The authority's subscriptions (all authorities' with None), newest first."""
    query = WebhookSubscription.select(
        WebhookSubscription.id,
        WebhookSubscription.authority,
        WebhookSubscription.url,
        WebhookSubscription.event_types,
        WebhookSubscription.created_at,
        WebhookSubscription.disabled_at,
    )
    if authority_id is not None:
        query = query.where(WebhookSubscription.authority == authority_id)
    rows: list[dict[str, Any]] = await query.order_by(
        WebhookSubscription.created_at, ascending=False
    ).output(load_json=True)
    return [_view(r) for r in rows]


async def authority_slugs() -> dict[UUID, str]:
    rows: list[dict[str, Any]] = await Authority.select(Authority.id, Authority.slug)
    return {parse_id(str(r["id"])): r["slug"] for r in rows}


# --- dead letters and redelivery -----------------------------------------------------------


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
    # A cheap look first: an idle worker takes no write lock (SQLite has only one).
    if not await WebhookDelivery.exists().where(_due(now)):
        return []
    until = now + timedelta(seconds=lease_seconds)
    async with write_transaction():
        query = (
            WebhookDelivery.select(WebhookDelivery.id)
            .where(_due(now))
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        if isinstance(engine(), PostgresEngine):
            # Lock only the delivery rows (not the joined subscription); skip the ones
            # another worker is claiming right now.
            query = query.lock_rows("UPDATE", skip_locked=True, of=(WebhookDelivery,))
        rows: list[dict[str, Any]] = await query
        ids = [int(r["id"]) for r in rows]
        if not ids:
            return []
        await WebhookDelivery.update(
            {
                WebhookDelivery.claimed_until: until,
                WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                WebhookDelivery.last_attempt_at: now,
            }
        ).where(WebhookDelivery.id.is_in(ids))
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
