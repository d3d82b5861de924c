"""Content-free notifications to applicants and caseworkers, planned from events.

A notification names the authority, the case reference, what is needed (a reply,
documents, a decision to retrieve) and the deadline, with a link; never a message
text or an attachment. Each is one ``Notification`` row per person and channel,
keyed by its cause (``dedupe_key``) so that the same cause never produces a second
notice, planned in the transaction of the change that caused it:

- the authority posts a message (``reply``) or a document request (``documents``);
- a decision can be retrieved (``decision.made_available`` → ``decision``; the
  decision's own timeline item is not announced, so a decision is told once);
- an open document request's deadline comes near (``reminder``) or passed (``overdue``),
  planned by :func:`do_plan_reminders`, which the worker calls periodically;
- the applicant side writes or uploads: each caseworker of the room gets one
  ``digest`` row per digest window (hourly or daily), never one per message.

A preference that says "no e-mail" (or no known address) gives a ``skipped`` row,
so that the plan shows why nobody was told. Postbox rows are planned only for the
channels the deployment configured (:func:`configure`): a plan is never written for
a channel that cannot send.

A worker claims due rows (:func:`claim_due`), sends them and records the outcome
(:func:`do_mark_sent`, :func:`do_mark_undeliverable`, :func:`do_mark_retry`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from rooms.kernel import audit
from rooms.kernel.access import APPLICANT_SIDE_ROLES
from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.db import engine, write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import (
    ApplicantKind,
    ContactPreference,
    DocumentRequest,
    ItemKind,
    Message,
    Notification,
    NotificationState,
    OutboxEvent,
    Participant,
    ParticipantRole,
    RequestItem,
    RequestItemState,
    Room,
    RoomStatus,
    Side,
)


class ChannelKind(StrEnum):
    """The channels a notification row can be planned for (its ``channel`` column)."""

    email = "email"
    bundid_postbox = "bundid_postbox"
    osi_postbox = "osi_postbox"


class Reason(StrEnum):
    reply = "reply"
    documents = "documents"
    decision = "decision"
    reminder = "reminder"
    overdue = "overdue"
    digest = "digest"


class Digest(StrEnum):
    off = "off"
    hourly = "hourly"
    daily = "daily"


class Realm(StrEnum):
    citizen = "citizen"
    business = "business"
    staff = "staff"


LANGUAGES = ("de", "en")
MAX_EMAIL = 320
# Simple on purpose: one @, no blanks, a dot in the domain. The mail server decides the rest.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# An overdue notice only for deadlines that passed within this many days: a portal
# that starts (or comes back) after weeks does not announce long-past deadlines.
OVERDUE_WINDOW_DAYS = 7
LEASE = timedelta(minutes=5)
"""How long a claimed notice is left to its worker before another may take it."""


@dataclass(frozen=True)
class Policy:
    """What the deployment configured, for the planner: channels and the digest default."""

    postbox_channels: tuple[str, ...] = ()
    digest_default: str = Digest.daily.value


_policy = Policy()


def configure(policy: Policy) -> Policy:
    """Set the deployment's policy (at start-up); returns the previous one."""
    global _policy
    previous, _policy = _policy, policy
    return previous


def current_policy() -> Policy:
    return _policy


# -- preferences ---------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    realm: str
    subject: str
    email: str = ""
    email_enabled: bool = True
    postbox_enabled: bool = True
    language: str = "de"
    digest: str = Digest.daily.value
    stored: bool = False


def preference_key(actor: Actor) -> tuple[str, str]:
    """(realm, subject) of the actor's own preferences; businesses share their organisation's."""
    if actor.kind is ActorKind.staff:
        return Realm.staff.value, actor.subject
    return actor.kind.value, actor.applicant_subject


def _stored_preferences(row: dict[str, Any]) -> Preferences:
    return Preferences(
        realm=row["realm"],
        subject=row["subject"],
        email=row["email"],
        email_enabled=bool(row["email_enabled"]),
        postbox_enabled=bool(row["postbox_enabled"]),
        language=row["language"] if row["language"] in LANGUAGES else "de",
        digest=row["digest"],
        stored=True,
    )


async def _preferences(realm: str, subject: str) -> Preferences:
    return (await _preferences_of([(realm, subject)]))[(realm, subject)]


async def _preferences_of(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Preferences]:
    """The preferences of several people in one query (defaults where none are stored)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows: list[dict[str, Any]] = await ContactPreference.select().where(
        ContactPreference.realm.is_in(sorted({realm for realm, _ in wanted}))
        & ContactPreference.subject.is_in(sorted({subject for _, subject in wanted}))
    )
    stored = {(r["realm"], r["subject"]): _stored_preferences(r) for r in rows}
    return {
        key: stored.get(key) or Preferences(*key, digest=_policy.digest_default) for key in wanted
    }


async def get_preferences(actor: Actor) -> Preferences:
    """The actor's own preferences (defaults when none are stored)."""
    return await _preferences(*preference_key(actor))


def validate_preferences(
    *, email: str, email_enabled: bool, language: str, digest: str
) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    address = email.strip()
    if address and (len(address) > MAX_EMAIL or not EMAIL.match(address)):
        errors["email"] = "invalid"
    if language not in LANGUAGES:
        errors["language"] = "invalid"
    if digest not in {d.value for d in Digest}:
        errors["digest"] = "invalid"
    if errors:
        raise Invalid(errors)
    return address, language, digest


async def check_update_preferences(
    actor: Actor,
    *,
    email: str,
    email_enabled: bool,
    language: str,
    digest: str | None = None,
    postbox_enabled: bool | None = None,
) -> Preferences:
    """Validate and store the actor's own preferences (there is no way to name another's)."""
    realm, subject = preference_key(actor)
    async with write_transaction():
        current = await _preferences(realm, subject)
        address, language, chosen_digest = validate_preferences(
            email=email,
            email_enabled=email_enabled,
            language=language,
            digest=current.digest if digest is None else digest,
        )
        postbox = current.postbox_enabled if postbox_enabled is None else postbox_enabled
        now = datetime.now(UTC)
        await ContactPreference.insert(
            ContactPreference(
                realm=realm,
                subject=subject,
                email=address,
                email_enabled=email_enabled,
                postbox_enabled=postbox,
                language=language,
                digest=chosen_digest,
                updated_at=now,
            )
        ).on_conflict(
            target=(ContactPreference.realm, ContactPreference.subject),
            action="DO UPDATE",
            values=[
                (ContactPreference.email, address),
                (ContactPreference.email_enabled, email_enabled),
                (ContactPreference.postbox_enabled, postbox),
                (ContactPreference.language, language),
                (ContactPreference.digest, chosen_digest),
                (ContactPreference.updated_at, now),
            ],
        )
        await audit.record(
            "notification_preferences_changed",
            actor=actor,
            detail={
                "email_enabled": email_enabled,
                "language": language,
                "digest": chosen_digest,
                "address_given": bool(address),
            },
        )
    return await _preferences(realm, subject)


# -- planning ------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    realm: str
    subject: str
    name: str
    email: str


def _subject_token(subject: str) -> str:
    """The subject as part of a dedupe key, short enough for the column."""
    if len(subject) <= 120:
        return subject
    return "sha256-" + hashlib.sha256(subject.encode()).hexdigest()[:40]


def dedupe_key(cause: str, realm: str, subject: str, channel: str) -> str:
    return f"{cause}:{realm}:{_subject_token(subject)}:{channel}"


async def _applicant_side(room_id: UUID) -> list[_Recipient]:
    """The room's applicant and representatives whose access was not revoked."""
    rows: list[dict[str, Any]] = (
        await Participant.select(
            Participant.kind, Participant.subject, Participant.name, Participant.email
        )
        .where(
            (Participant.room == room_id)
            & Participant.role.is_in(APPLICANT_SIDE_ROLES)
            & Participant.revoked_at.is_null()
        )
        .order_by(Participant.added_at)
    )
    found: dict[tuple[str, str], _Recipient] = {}
    for r in rows:
        realm = Realm.business if r["kind"] == ApplicantKind.organisation else Realm.citizen
        key = (realm.value, r["subject"])
        if key not in found:
            found[key] = _Recipient(realm.value, r["subject"], r["name"], r["email"] or "")
    return list(found.values())


async def _insert(rows: list[Notification]) -> None:
    if rows:
        await Notification.insert(*rows).on_conflict(
            target=Notification.dedupe_key, action="DO NOTHING"
        )


async def _plan_for(
    recipients: Sequence[_Recipient],
    *,
    cause: str,
    reason: Reason,
    authority_id: UUID,
    room_id: UUID | None,
    due: datetime,
    deadline: date | None = None,
) -> None:
    rows: list[Notification] = []
    everyone = await _preferences_of([(r.realm, r.subject) for r in recipients])
    for r in recipients:
        prefs = everyone[(r.realm, r.subject)]
        address = prefs.email or r.email
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
        if r.realm == Realm.citizen and prefs.postbox_enabled:
            for channel in _policy.postbox_channels:
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


def _parse_digest_key(key: str) -> tuple[datetime, datetime]:
    _, period, stamp, *_ = key.split(":", 4)
    start = datetime.strptime(stamp, "%Y%m%dT%H").replace(tzinfo=UTC)
    return start, start + (timedelta(hours=1) if period == Digest.hourly else timedelta(days=1))


async def _staff_of_room(room_id: UUID) -> list[_Recipient]:
    """The room's assignee if it has one, else every caseworker who worked in it."""
    room: dict[str, Any] | None = (
        await Room.select(Room.assignee_subject, Room.assignee_name)
        .where(Room.id == room_id)
        .first()
    )
    if room is None:
        return []
    query = Participant.select(Participant.subject, Participant.name, Participant.email).where(
        (Participant.room == room_id)
        & (Participant.role == ParticipantRole.caseworker.value)
        & Participant.revoked_at.is_null()
    )
    rows: list[dict[str, Any]] = await query
    staff = {r["subject"]: r for r in rows}
    if room["assignee_subject"]:
        subject = room["assignee_subject"]
        known = staff.get(subject)
        return [
            _Recipient(
                Realm.staff.value,
                subject,
                known["name"] if known else room["assignee_name"],
                (known["email"] if known else "") or "",
            )
        ]
    return [_Recipient(Realm.staff.value, s, r["name"], r["email"] or "") for s, r in staff.items()]


async def _plan_digests(authority_id: UUID, room_id: UUID, now: datetime) -> None:
    rows: list[Notification] = []
    staff = await _staff_of_room(room_id)
    everyone = await _preferences_of([(r.realm, r.subject) for r in staff])
    for r in staff:
        prefs = everyone[(r.realm, r.subject)]
        if prefs.digest == Digest.off:
            continue  # the inbox shows the activity; no mail wanted
        start, end = digest_window(now, prefs.digest)
        address = prefs.email or r.email
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
            await _applicant_side(room_id),
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
        await _applicant_side(room_id),
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
                await _applicant_side(room_id),
                cause=cause,
                reason=reason,
                authority_id=UUID(str(r["request.room.authority"])),
                room_id=room_id,
                due=now,
                deadline=deadline,
            )


# -- sending -------------------------------------------------------------------


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
    due = (Notification.state == NotificationState.pending.value) & (
        Notification.next_attempt_at <= now
    )
    if not await Notification.exists().where(due):
        return []  # the usual case: no write lock taken for nothing
    async with write_transaction():
        query = (
            Notification.select(Notification.id)
            .where(
                (Notification.state == NotificationState.pending.value)
                & (Notification.next_attempt_at <= now)
            )
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
        if isinstance(engine(), PostgresEngine):
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [UUID(str(r["id"])) for r in await query]
        if ids:
            # The lease: nobody else takes them until it runs out (a crashed worker's
            # notices become due again); each claim counts as an attempt.
            await Notification.update(
                {
                    Notification.next_attempt_at: now + LEASE,
                    Notification.attempts: Notification.attempts + 1,
                }
            ).where(Notification.id.is_in(ids))
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
    everyone = await _preferences_of([(r["recipient_realm"], r["recipient_subject"]) for r in rows])
    due: list[DueNotice] = []
    for r in rows:
        nid = UUID(str(r["id"]))
        prefs = everyone[(r["recipient_realm"], r["recipient_subject"])]
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
            start, end = _parse_digest_key(r["dedupe_key"])
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


# -- what the caseworker sees ----------------------------------------------------


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
