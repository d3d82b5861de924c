"""The timeline: items in sequence, as each viewer sees them, and read receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, RoomClosed
from rooms.kernel.events import ItemAdded, ItemsRead
from rooms.kernel.records import RoomAccess, TimelineItem
from rooms.kernel.tables import Message, Participant, Receipt, Room
from rooms.kernel.text import INVALID_CHARACTERS, holds_nul
from rooms.kernel.vocabulary import ItemKind, ParticipantRole, RoomStatus, Side
from rooms.outbound.outbox import do_record

DEFAULT_MAX_LENGTH = 20_000


@dataclass(frozen=True)
class PostedItem:
    """A new timeline item: its id, its sequence number and the files that came with it."""

    id: UUID
    seq: int
    attachment_ids: tuple[UUID, ...] = ()


def clean_body(body: str, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Normalise line endings and surrounding blanks; refuse empty or oversized text."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise Invalid({"body": "empty"})
    if len(text) > max_length:
        raise Invalid({"body": "too_long"})
    if holds_nul(text):
        raise Invalid({"body": INVALID_CHARACTERS})
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


async def ensure_caseworker_participant(access: RoomAccess) -> UUID:
    """Caseworkers reach rooms through their authority; the first visit records them."""
    if access.participant_id is not None:
        return access.participant_id
    actor = access.person
    assert actor is not None and access.side is Side.authority
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


async def on_behalf_of(access: RoomAccess) -> str:
    """For whom an applicant-side author acts: the applicant, unless it is them."""
    actor = access.person
    if access.side is not Side.applicant or actor is None:
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
    files: int = 0,
) -> tuple[UUID, int]:
    """Append a timeline item and record it; return its id and sequence number.

    ``files``: how many quarantined files the caller attaches to it (the scanner is
    woken after commit).
    """
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
    await do_record(
        ItemAdded(room_id, authority_id, seq=seq, kind=kind.value, side=side.value, files=files)
    )
    return UUID(str(message.id)), seq


async def author_of(access: RoomAccess) -> tuple[UUID | None, str]:
    """The participant writing for the principal in this room, and for whom they act.

    A case store writes as its authority: no participant, nobody on whose behalf.
    """
    if access.machine is not None:
        return None, ""
    author = access.participant_id
    if access.side is Side.authority:
        author = await ensure_caseworker_participant(access)
    return author, await on_behalf_of(access)


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


async def do_mark_read(access: RoomAccess, reader: UUID, up_to_seq: int) -> tuple[int, ...]:
    """Record first reads of the other side's items up to ``up_to_seq``; return their seqs."""
    unread: list[dict[str, Any]] = await Message.select(Message.id, Message.seq).where(
        (Message.room == access.room.id)
        & (Message.side == access.other_side.value)
        & (Message.seq <= up_to_seq)
        & Message.id.not_in(Receipt.select(Receipt.message).where(Receipt.participant == reader))
    )
    if not unread:
        return ()
    now = datetime.now(UTC)
    await Receipt.insert(
        *[
            Receipt(message=row["id"], participant=reader, side=access.side.value, read_at=now)
            for row in unread
        ]
    ).on_conflict(action="DO NOTHING")
    seqs = tuple(sorted(int(row["seq"]) for row in unread))
    room = access.room
    await do_record(ItemsRead(room.id, room.authority_id, reader_side=access.side.value, seqs=seqs))
    return seqs


async def check_mark_read(actor: Actor, room_id: UUID | str, up_to_seq: int) -> tuple[int, ...]:
    """A person has seen the room up to ``up_to_seq``: the other side's items are read."""
    async with write_transaction():
        access = await access_room(actor, room_id)
        reader = access.participant_id
        if access.side is Side.authority:
            reader = await ensure_caseworker_participant(access)
        assert reader is not None
        return await do_mark_read(access, reader, up_to_seq)
