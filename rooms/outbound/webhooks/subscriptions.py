"""Webhook subscriptions: an authority's endpoints, each with its own signing secret.

A subscription is an endpoint an authority's admin configured (never a URL from
request data); its secret is shown once, when it is created. Disabling one stops
its deliveries; nothing is ever deleted.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.kernel import audit
from rooms.kernel.access import access_authority_admin, parse_id
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.events import EVENT_TYPES
from rooms.kernel.tables import Authority, WebhookSubscription
from rooms.outbound.webhooks.urls import validate_url

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32


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


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _validate_types(event_types: Sequence[str]) -> list[str]:
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
