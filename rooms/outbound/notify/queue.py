"""The worker's side of notifications: claim the due ones with a lease, then mark the outcome.

A claimed notice carries the facts a message may name (:class:`DueNotice`); one no
longer wanted (preferences changed, nothing new for a digest) is skipped at the
claim. The outcome is recorded only on a notice still pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from rooms.kernel.tables import DocumentRequest, Message, Notification, OutboxEvent, Participant
from rooms.kernel.vocabulary import NotificationState, ParticipantRole, Side
from rooms.outbound.leases import claim_with_lease
from rooms.outbound.notify.kinds import LANGUAGES, ChannelKind, Reason
from rooms.outbound.notify.planning import parse_digest_key
from rooms.outbound.notify.preferences import PersonKey, preferences_of

LEASE = timedelta(minutes=5)
"""How long a claimed notice is left to its worker before another may take it."""


@dataclass(frozen=True)
class DigestRoom:
    id: UUID
    case_ref: str
    items: int


@dataclass(frozen=True)
class DueNotice:
    """A claimed notification with the facts a message may name (and nothing more)."""

    id: UUID
    channel: str
    address: str
    recipient_realm: str
    recipient_subject: str
    recipient_name: str
    reason: str
    language: str
    authority_name: str
    attempts: int
    room_id: UUID | None = None
    case_ref: str = ""
    deadline: date | None = None
    digest_rooms: tuple[DigestRoom, ...] = field(default_factory=tuple)


async def _claim_ids(now: datetime, limit: int) -> list[UUID]:
    """Claim up to ``limit`` pending notices due at ``now``, the longest due first.

    The lease is the next attempt's time: nobody else takes them until it runs out
    (a crashed worker's notices become due again); each claim counts as an attempt.
    The details are read after the claim has committed.
    """
    async with claim_with_lease(
        Notification,
        due=(Notification.state == NotificationState.pending.value)
        & (Notification.next_attempt_at <= now),
        order_by=Notification.next_attempt_at,
        limit=limit,
        lease={
            Notification.next_attempt_at: now + LEASE,
            Notification.attempts: Notification.attempts + 1,
        },
        key=lambda value: UUID(str(value)),
    ) as ids:
        return ids


async def _request_deadline(dedupe: str, room_id: UUID) -> date | None:
    """The deadline of the document request whose timeline event planned this notice."""
    event_id = dedupe.split(":", 1)[0]
    try:
        UUID(event_id)
    except ValueError:
        return None
    event: dict[str, Any] | None = (
        await OutboxEvent.select(OutboxEvent.data)
        .where(OutboxEvent.event_id == event_id)
        .output(load_json=True)
        .first()
    )
    if event is None or "seq" not in event["data"]:
        return None
    row: dict[str, Any] | None = (
        await DocumentRequest.select(DocumentRequest.deadline)
        .where(
            (DocumentRequest.room == room_id)
            & (DocumentRequest.message._.seq == int(event["data"]["seq"]))
        )
        .first()
    )
    return row["deadline"] if row else None


async def digest_rooms(
    authority_id: UUID, subject: str, start: datetime, end: datetime
) -> list[DigestRoom]:
    """Rooms of this caseworker with applicant-side items in [start, end)."""
    rows: list[dict[str, Any]] = await Message.select(
        Message.room,
        Message.room._.case_ref,
        Message.room._.assignee_subject,
    ).where(
        (Message.side == Side.applicant.value)
        & (Message.created_at >= start)
        & (Message.created_at < end)
        & (Message.room._.authority == authority_id)
    )
    if not rows:
        return []
    unassigned = {str(r["room"]) for r in rows if not r["room.assignee_subject"]}
    worked_in: set[str] = set()
    if unassigned:
        worked_in = {
            str(p["room"])
            for p in await Participant.select(Participant.room).where(
                Participant.room.is_in([UUID(i) for i in unassigned])
                & (Participant.role == ParticipantRole.caseworker.value)
                & (Participant.subject == subject)
                & Participant.revoked_at.is_null()
            )
        }
    counts: dict[str, int] = {}
    facts: dict[str, dict[str, Any]] = {}
    for r in rows:
        rid = str(r["room"])
        mine = r["room.assignee_subject"] == subject or rid in worked_in
        if mine:
            counts[rid] = counts.get(rid, 0) + 1
            facts[rid] = r
    return sorted(
        (DigestRoom(UUID(rid), facts[rid]["room.case_ref"], n) for rid, n in counts.items()),
        key=lambda d: d.case_ref,
    )


async def claim_due(now: datetime, *, limit: int = 20) -> tuple[int, list[DueNotice]]:
    """Claim the notices due at ``now`` for one worker; skip the ones no longer wanted.

    Returns how many were claimed and those still to be sent.
    """
    ids = await _claim_ids(now, limit)
    if not ids:
        return 0, []
    rows: list[dict[str, Any]] = (
        await Notification.select(
            *Notification.all_columns(),
            Notification.authority._.name,
            Notification.room._.case_ref,
        )
        .where(Notification.id.is_in(ids))
        .order_by(Notification.created_at)
    )

    def key(r: dict[str, Any]) -> PersonKey:
        return r["recipient_realm"], r["recipient_issuer"], r["recipient_subject"]

    everyone = await preferences_of([key(r) for r in rows])
    due: list[DueNotice] = []
    for r in rows:
        nid = UUID(str(r["id"]))
        prefs = everyone[key(r)]
        if r["channel"] == ChannelKind.email and not prefs.email_enabled:
            await do_mark_skipped(nid, "email_disabled")
            continue
        if r["channel"] != ChannelKind.email and not prefs.postbox_enabled:
            await do_mark_skipped(nid, "postbox_disabled")
            continue
        room_id = UUID(str(r["room"])) if r["room"] else None
        deadline = r["deadline"]
        if r["reason"] == Reason.documents and deadline is None and room_id is not None:
            deadline = await _request_deadline(r["dedupe_key"], room_id)
            if deadline is not None:
                await Notification.update({Notification.deadline: deadline}).where(
                    Notification.id == nid
                )
        rooms: tuple[DigestRoom, ...] = ()
        if r["reason"] == Reason.digest:
            start, end = parse_digest_key(r["dedupe_key"])
            rooms = tuple(
                await digest_rooms(UUID(str(r["authority"])), r["recipient_subject"], start, end)
            )
            if not rooms:
                await do_mark_skipped(nid, "nothing_new")
                continue
        due.append(
            DueNotice(
                id=nid,
                channel=r["channel"],
                address=r["address"],
                recipient_realm=r["recipient_realm"],
                recipient_subject=r["recipient_subject"],
                recipient_name=r["recipient_name"],
                reason=r["reason"],
                language=r["language"] if r["language"] in LANGUAGES else "de",
                authority_name=r["authority.name"],
                attempts=int(r["attempts"]),
                room_id=room_id,
                case_ref=r["room.case_ref"] or "",
                deadline=deadline,
                digest_rooms=rooms,
            )
        )
    return len(ids), due


def _pending(notification_id: UUID) -> Any:
    return (Notification.id == notification_id) & (
        Notification.state == NotificationState.pending.value
    )


async def do_mark_sent(notification_id: UUID, now: datetime) -> None:
    await Notification.update(
        {
            Notification.state: NotificationState.sent.value,
            Notification.sent_at: now,
            Notification.last_error: "",
        }
    ).where(_pending(notification_id))


async def do_mark_skipped(notification_id: UUID, why: str) -> None:
    await Notification.update(
        {Notification.state: NotificationState.skipped.value, Notification.last_error: why}
    ).where(_pending(notification_id))


async def do_mark_undeliverable(notification_id: UUID, error: str) -> None:
    """The address was refused for good: recorded (with the server's reply), never retried."""
    await Notification.update(
        {
            Notification.state: NotificationState.undeliverable.value,
            Notification.last_error: error[:1000],
        }
    ).where(_pending(notification_id))


async def do_mark_retry(
    notification_id: UUID, now: datetime, error: str, delays: Sequence[float]
) -> str:
    """After a temporary failure: due again after the next delay, or ``failed`` after the last."""
    row: dict[str, Any] | None = (
        await Notification.select(Notification.attempts).where(_pending(notification_id)).first()
    )
    if row is None:
        return ""
    attempts = int(row["attempts"])
    if attempts <= len(delays):
        await Notification.update(
            {
                Notification.next_attempt_at: now + timedelta(seconds=delays[attempts - 1]),
                Notification.last_error: error[:1000],
            }
        ).where(_pending(notification_id))
        return NotificationState.pending.value
    await Notification.update(
        {Notification.state: NotificationState.failed.value, Notification.last_error: error[:1000]}
    ).where(_pending(notification_id))
    return NotificationState.failed.value
