"""Who is told of what, on which channel, and only once: the plan, in the event's transaction.

One ``Notification`` row per person and channel, keyed by its cause
(:func:`dedupe_key`): an event plans its notices (:func:`do_plan_notifications`),
the worker plans reminders and overdue notices (:func:`do_plan_reminders`), and
applicant-side activity plans one digest per caseworker and window. See the
package's docstring for what causes what.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from rooms.kernel.actors import ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.tables import Notification, RequestItem
from rooms.kernel.vocabulary import ItemKind, NotificationState, RequestItemState, RoomStatus, Side
from rooms.outbound.notify.addresses import account_addresses_of, address_for
from rooms.outbound.notify.kinds import ChannelKind, Digest, Reason
from rooms.outbound.notify.policy import current_policy
from rooms.outbound.notify.preferences import preferences_of
from rooms.outbound.notify.recipients import Recipient, applicant_side, staff_of_room

# An overdue notice only for deadlines that passed within this many days: a portal
# that starts (or comes back) after weeks does not announce long-past deadlines.
OVERDUE_WINDOW_DAYS = 7


def _subject_token(subject: str) -> str:
    """The subject as part of a dedupe key, short enough for the column."""
    if len(subject) <= 120:
        return subject
    return "sha256-" + hashlib.sha256(subject.encode()).hexdigest()[:40]


def dedupe_key(cause: str, realm: str, subject: str, channel: str) -> str:
    return f"{cause}:{realm}:{_subject_token(subject)}:{channel}"


async def _insert(rows: list[Notification]) -> None:
    if rows:
        await Notification.insert(*rows).on_conflict(
            target=Notification.dedupe_key, action="DO NOTHING"
        )


async def _plan_for(
    recipients: Sequence[Recipient],
    *,
    cause: str,
    reason: Reason,
    authority_id: UUID,
    room_id: UUID | None,
    due: datetime,
    deadline: date | None = None,
) -> None:
    rows: list[Notification] = []
    keys = [r.key for r in recipients]
    everyone, accounts = await preferences_of(keys), await account_addresses_of(keys)
    for r in recipients:
        prefs = everyone[r.key]
        address = address_for(prefs, accounts.get(r.key, ""), r.email)
        state, why = NotificationState.pending, ""
        if not prefs.email_enabled:
            state, why = NotificationState.skipped, "email_disabled"
        elif not address:
            state, why = NotificationState.skipped, "no_address"
        common: dict[str, Any] = {
            "authority": authority_id,
            "room": room_id,
            "recipient_realm": r.realm,
            "recipient_subject": r.subject,
            "recipient_issuer": r.issuer,
            "recipient_name": r.name,
            "reason": reason.value,
            "language": prefs.language,
            "deadline": deadline,
            "next_attempt_at": due,
        }
        rows.append(
            Notification(
                dedupe_key=dedupe_key(cause, r.realm, r.subject, ChannelKind.email),
                channel=ChannelKind.email.value,
                address=address,
                state=state.value,
                last_error=why,
                **common,
            )
        )
        if r.realm == ActorKind.citizen and prefs.postbox_enabled:
            for channel in current_policy().postbox_channels:
                rows.append(
                    Notification(
                        dedupe_key=dedupe_key(cause, r.realm, r.subject, channel),
                        channel=channel,
                        address="",
                        state=NotificationState.pending.value,
                        **common,
                    )
                )
    await _insert(rows)


def digest_window(now: datetime, period: str) -> tuple[datetime, datetime]:
    """The digest window (UTC) that ``now`` falls in: [start, end)."""
    now = now.astimezone(UTC)
    if period == Digest.hourly:
        start = now.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _digest_cause(period: str, start: datetime, authority_id: UUID) -> str:
    return f"digest:{period}:{start:%Y%m%dT%H}:{authority_id}"


def parse_digest_key(key: str) -> tuple[datetime, datetime]:
    """The window [start, end) a digest notice's dedupe key names (see ``_digest_cause``)."""
    _, period, stamp, *_ = key.split(":", 4)
    start = datetime.strptime(stamp, "%Y%m%dT%H").replace(tzinfo=UTC)
    return start, start + (timedelta(hours=1) if period == Digest.hourly else timedelta(days=1))


async def _plan_digests(authority_id: UUID, room_id: UUID, now: datetime) -> None:
    rows: list[Notification] = []
    staff = await staff_of_room(room_id)
    keys = [r.key for r in staff]
    everyone, accounts = await preferences_of(keys), await account_addresses_of(keys)
    for r in staff:
        prefs = everyone[r.key]
        if prefs.digest == Digest.off:
            continue  # the inbox shows the activity; no mail wanted
        start, end = digest_window(now, prefs.digest)
        address = address_for(prefs, accounts.get(r.key, ""), r.email)
        state, why = NotificationState.pending, ""
        if not prefs.email_enabled:
            state, why = NotificationState.skipped, "email_disabled"
        elif not address:
            state, why = NotificationState.skipped, "no_address"
        rows.append(
            Notification(
                dedupe_key=dedupe_key(
                    _digest_cause(prefs.digest, start, authority_id),
                    r.realm,
                    r.subject,
                    ChannelKind.email,
                ),
                authority=authority_id,
                room=None,
                recipient_realm=r.realm,
                recipient_subject=r.subject,
                recipient_issuer=r.issuer,
                recipient_name=r.name,
                channel=ChannelKind.email.value,
                address=address,
                reason=Reason.digest.value,
                language=prefs.language,
                state=state.value,
                last_error=why,
                next_attempt_at=end,
            )
        )
    await _insert(rows)


async def do_plan_notifications(
    event_id: UUID,
    *,
    event_type: str,
    authority_id: UUID,
    room_id: UUID | None,
    data: dict[str, Any],
) -> None:
    """Record the notifications an event sets off, in the event's transaction."""
    if room_id is None:
        return
    now = datetime.now(UTC)
    if event_type == "decision.made_available":
        await _plan_for(
            await applicant_side(room_id),
            cause=str(event_id),
            reason=Reason.decision,
            authority_id=authority_id,
            room_id=room_id,
            due=now,
        )
        return
    if event_type != "timeline.item_added":
        return
    kind, side = data.get("kind"), data.get("side")
    if side == Side.applicant:
        await _plan_digests(authority_id, room_id, now)
        return
    if kind == ItemKind.decision:
        return  # announced once, by decision.made_available, when it can be retrieved
    # The request's deadline is written after its timeline item; it is looked up when sent.
    reason = Reason.documents if kind == ItemKind.request else Reason.reply
    await _plan_for(
        await applicant_side(room_id),
        cause=str(event_id),
        reason=reason,
        authority_id=authority_id,
        room_id=room_id,
        due=now,
    )


async def do_plan_reminders(today: date, days: Sequence[int], now: datetime) -> None:
    """Plan reminders before the deadlines of open document requests, and overdue notices.

    For each open request the smallest configured offset that has been reached is
    planned (so a worker that was down on the day itself still reminds once), and
    ``overdue`` once after the deadline. A request made within the last day gets no
    reminder yet (its own notice just went out). Dedupe keys make repeated calls harmless.
    """
    offsets = sorted({d for d in days if d >= 0})
    horizon = today + timedelta(days=max(offsets, default=0))
    rows: list[dict[str, Any]] = (
        await RequestItem.select(
            RequestItem.request,
            RequestItem.request._.deadline,
            RequestItem.request._.created_at,
            RequestItem.request._.room,
            RequestItem.request._.room._.authority,
        )
        .where(
            (RequestItem.required == True)  # noqa: E712 - a SQL expression
            & RequestItem.state.is_in(
                [RequestItemState.open.value, RequestItemState.rejected.value]
            )
            & (RequestItem.request._.room._.status == RoomStatus.open.value)
            & (RequestItem.request._.deadline <= horizon)
            & (RequestItem.request._.deadline >= today - timedelta(days=OVERDUE_WINDOW_DAYS))
        )
        .distinct()
    )
    async with write_transaction():
        seen: set[str] = set()
        for r in rows:
            request_id = str(r["request"])
            if request_id in seen:
                continue
            seen.add(request_id)
            deadline: date = r["request.deadline"]
            days_left = (deadline - today).days
            if days_left < 0:
                cause, reason = f"overdue:{request_id}", Reason.overdue
            else:
                reached = [d for d in offsets if days_left <= d]
                if not reached or r["request.created_at"] > now - timedelta(days=1):
                    continue  # not yet, or just asked for: the request's own notice suffices
                cause, reason = f"reminder:{request_id}:{min(reached)}", Reason.reminder
            room_id = UUID(str(r["request.room"]))
            await _plan_for(
                await applicant_side(room_id),
                cause=cause,
                reason=reason,
                authority_id=UUID(str(r["request.room.authority"])),
                room_id=room_id,
                due=now,
                deadline=deadline,
            )
