"""The timeline: posting messages, reading them, and read receipts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.kernel import audit
from rooms.kernel.access import access_room, access_room_for_writing
from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, RoomClosed
from rooms.kernel.events import Event, ItemsRead, TimelineItemAdded
from rooms.kernel.records import RoomAccess, TimelineItem
from rooms.kernel.tables import (
    ItemKind,
    Message,
    Participant,
    ParticipantRole,
    Receipt,
    Room,
    RoomStatus,
    Side,
)
from rooms.outbound.outbox import do_record_event

DEFAULT_MAX_LENGTH = 20_000


def clean_body(body: str, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Normalise line endings and surrounding blanks; refuse empty or oversized text."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise Invalid({"body": "empty"})
    if len(text) > max_length:
        raise Invalid({"body": "too_long"})
    if "\x00" in text:
        raise Invalid({"body": "invalid_characters"})
    return text


async def _next_seq(room_id: UUID, now: datetime) -> tuple[int, UUID]:
    """The room's next sequence number, and the room's authority."""
    # The UPDATE takes the room's row lock (PostgreSQL) or the write lock (SQLite),
    # so concurrent writers get consecutive numbers without gaps. It only counts while
    # the room is open: a writer that passed the gate just before a concurrent close
    # committed finds no row here and is refused, instead of writing into a closed room.
    rows: list[dict[str, Any]] = await (
        Room.update({Room.last_seq: Room.last_seq + 1, Room.last_activity_at: now})
        .where((Room.id == room_id) & (Room.status == RoomStatus.open.value))
        .returning(Room.last_seq, Room.authority)
    )
    if not rows:
        raise RoomClosed()
    return int(rows[0]["last_seq"]), UUID(str(rows[0]["authority"]))


async def ensure_caseworker_participant(access: RoomAccess, actor: Actor) -> UUID:
    """Caseworkers reach rooms through their authority; the first visit records them."""
    if access.participant_id is not None:
        return access.participant_id
    await Participant.insert(
        Participant(
            room=access.room.id,
            role=ParticipantRole.caseworker.value,
            kind="person",
            subject=actor.subject,
            name=actor.name,
            email=actor.email,
        )
    ).on_conflict(action="DO NOTHING")
    row: dict[str, Any] | None = (
        await Participant.select(Participant.id)
        .where(
            (Participant.room == access.room.id)
            & (Participant.role == ParticipantRole.caseworker.value)
            & (Participant.subject == actor.subject)
        )
        .first()
    )
    assert row is not None
    return UUID(str(row["id"]))


async def on_behalf_of(access: RoomAccess, actor: Actor) -> str:
    """For whom an applicant-side author acts: the applicant, unless it is them."""
    if access.side is not Side.applicant:
        return ""
    row: dict[str, Any] | None = (
        await Participant.select(Participant.id, Participant.name)
        .where(
            (Participant.room == access.room.id)
            & (Participant.role == ParticipantRole.applicant.value)
        )
        .first()
    )
    if row is None:
        return ""
    is_the_applicant = str(row["id"]) == str(access.participant_id)
    if is_the_applicant and actor.kind is not ActorKind.business:
        return ""
    return str(row["name"])


async def do_add_item(
    room_id: UUID,
    *,
    side: Side,
    author: UUID | None,
    author_name: str,
    body: str,
    for_whom: str = "",
    kind: ItemKind = ItemKind.message,
) -> tuple[UUID, int]:
    """Append a timeline item; return its id and sequence number."""
    now = datetime.now(UTC)
    seq, authority_id = await _next_seq(room_id, now)
    message = Message(
        room=room_id,
        seq=seq,
        author=author,
        side=side.value,
        author_name=author_name,
        on_behalf_of=for_whom,
        kind=kind.value,
        body=body,
        created_at=now,
    )
    await message.save()
    await do_record_event(
        "timeline.item_added",
        authority_id=authority_id,
        room_id=room_id,
        data={"seq": seq, "kind": kind.value, "side": side.value},
    )
    return UUID(str(message.id)), seq


async def do_post_message(
    room_id: UUID,
    *,
    side: Side,
    author: UUID | None,
    author_name: str,
    body: str,
    for_whom: str = "",
) -> list[Event]:
    _, seq = await do_add_item(
        room_id, side=side, author=author, author_name=author_name, body=body, for_whom=for_whom
    )
    return [TimelineItemAdded(room_id=room_id, seq=seq)]


async def author_of(access: RoomAccess, actor: Actor) -> tuple[UUID | None, str]:
    """The participant writing for ``actor`` in this room, and for whom they act."""
    author = access.participant_id
    if access.side is Side.authority:
        author = await ensure_caseworker_participant(access, actor)
    return author, await on_behalf_of(access, actor)


async def check_post_message(
    actor: Actor, room_id: UUID | str, body: str, *, max_length: int = DEFAULT_MAX_LENGTH
) -> list[Event]:
    """Authorise, validate and post a message in one transaction."""
    text = clean_body(body, max_length)
    async with write_transaction():
        access = await access_room_for_writing(actor, room_id)
        author, for_whom = await author_of(access, actor)
        events = await do_post_message(
            access.room.id,
            side=access.side,
            author=author,
            author_name=actor.name,
            body=text,
            for_whom=for_whom,
        )
        await audit.record(
            "message_posted",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={"seq": events[0].seq if isinstance(events[0], TimelineItemAdded) else 0},
        )
    return events


async def timeline(
    access: RoomAccess, *, after_seq: int = 0, until_seq: int | None = None
) -> list[TimelineItem]:
    """The room's items after ``after_seq`` (up to ``until_seq``), as this viewer sees them."""
    window = (Message.room == access.room.id) & (Message.seq > after_seq)
    if until_seq is not None:
        window &= Message.seq <= until_seq
    rows: list[dict[str, Any]] = (
        await Message.select(
            Message.id,
            Message.seq,
            Message.kind,
            Message.side,
            Message.author,
            Message.author_name,
            Message.on_behalf_of,
            Message.body,
            Message.created_at,
        )
        .where(window)
        .order_by(Message.seq)
    )
    if not rows:
        return []
    first_read = await _first_read_by_other_side([UUID(str(r["id"])) for r in rows], rows)
    return [
        TimelineItem(
            id=UUID(str(r["id"])),
            seq=r["seq"],
            kind=r["kind"],
            side=Side(r["side"]),
            author_name=r["author_name"],
            on_behalf_of=r["on_behalf_of"],
            body=r["body"],
            created_at=r["created_at"],
            read_by_other_at=first_read.get(str(r["id"])),
            mine=r["side"] == access.side.value,
            by_me=access.participant_id is not None
            and str(r["author"]) == str(access.participant_id),
        )
        for r in rows
    ]


async def _first_read_by_other_side(
    ids: list[UUID], rows: list[dict[str, Any]]
) -> dict[str, datetime]:
    side_of = {str(r["id"]): r["side"] for r in rows}
    receipts: list[dict[str, Any]] = await Receipt.select(
        Receipt.message, Receipt.side, Receipt.read_at
    ).where(Receipt.message.is_in(ids))
    first: dict[str, datetime] = {}
    for rec in receipts:
        mid = str(rec["message"])
        if rec["side"] == side_of[mid]:
            continue
        if mid not in first or rec["read_at"] < first[mid]:
            first[mid] = rec["read_at"]
    return first


async def do_mark_read(access: RoomAccess, reader: UUID, up_to_seq: int) -> list[Event]:
    """Record first reads of the other side's items up to ``up_to_seq``."""
    unread: list[dict[str, Any]] = await Message.select(Message.id, Message.seq).where(
        (Message.room == access.room.id)
        & (Message.side == access.other_side.value)
        & (Message.seq <= up_to_seq)
        & Message.id.not_in(Receipt.select(Receipt.message).where(Receipt.participant == reader))
    )
    if not unread:
        return []
    now = datetime.now(UTC)
    await Receipt.insert(
        *[
            Receipt(message=row["id"], participant=reader, side=access.side.value, read_at=now)
            for row in unread
        ]
    ).on_conflict(action="DO NOTHING")
    seqs = tuple(sorted(int(row["seq"]) for row in unread))
    return [ItemsRead(room_id=access.room.id, reader_side=access.side.value, seqs=seqs)]


async def check_mark_read(actor: Actor, room_id: UUID | str, up_to_seq: int) -> list[Event]:
    async with write_transaction():
        access = await access_room(actor, room_id)
        reader = access.participant_id
        if access.side is Side.authority:
            reader = await ensure_caseworker_participant(access, actor)
        assert reader is not None
        return await do_mark_read(access, reader, up_to_seq)
