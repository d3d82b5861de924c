"""What the caseworker sees of notifications: undeliverable notices, unreachable applicants.

An applicant is unreachable when no notice of the room can reach them: no e-mail
address is known (none chosen, none from their account's last login, none from the
intake) or they switched e-mail off, and no account postbox is configured for them.
The caseworker is told so on the room page, before the first notice is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rooms.kernel.actors import ActorKind
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Notification
from rooms.kernel.vocabulary import NotificationState, Side
from rooms.outbound.notify.addresses import account_addresses_of, address_for
from rooms.outbound.notify.policy import current_policy
from rooms.outbound.notify.preferences import preferences_of
from rooms.outbound.notify.recipients import applicant_side


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


@dataclass(frozen=True)
class UnreachableApplicant:
    name: str
    reason: str
    """``no_address`` or ``email_disabled``."""


async def unreachable_applicants(access: RoomAccess) -> list[UnreachableApplicant]:
    """The applicant side's people whom no notice can reach, for the caseworkers only."""
    if access.side is not Side.authority:
        return []
    people = await applicant_side(access.room.id)
    keys = [p.key for p in people]
    everyone, accounts = await preferences_of(keys), await account_addresses_of(keys)
    postboxes = current_policy().postbox_channels
    found: list[UnreachableApplicant] = []
    for p in people:
        prefs = everyone[p.key]
        if p.realm == ActorKind.citizen and postboxes and prefs.postbox_enabled:
            continue  # the account postbox reaches them
        if not prefs.email_enabled:
            found.append(UnreachableApplicant(p.name, "email_disabled"))
        elif not address_for(prefs, accounts.get(p.key, ""), p.email):
            found.append(UnreachableApplicant(p.name, "no_address"))
    return found
