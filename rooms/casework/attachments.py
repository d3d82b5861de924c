"""Attachments: recorded after upload, quarantined until the scanner says clean.

The web layer streams, hashes, type-checks and stores the file; the domain records
it (``rooms.casework.posting``, ``rooms.casework.decisions``) and its verdict
(``rooms.casework.verdicts``); ``rooms.kernel.access.access_attachment`` is the only
gate to it afterwards.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine

from rooms.kernel.db import engine, in_write_transaction
from rooms.kernel.records import AttachmentView
from rooms.kernel.tables import Attachment, Room
from rooms.kernel.vocabulary import ScanState

__all__ = [
    "AttachmentView",
    "StoredFile",
    "attachments_by_message",
    "do_add_attachments",
    "room_usage",
    "room_usage_locked",
]


@dataclass(frozen=True)
class StoredFile:
    """A file the web layer has streamed, hashed, checked and stored."""

    storage_key: str
    name: str
    mime: str
    size: int
    sha256: str


async def room_usage(room_id: UUID) -> int:
    """Bytes stored in the room (infected files included: they count until deleted)."""
    rows: list[dict[str, Any]] = await Attachment.select(Attachment.size).where(
        Attachment.room == room_id
    )
    return sum(int(r["size"]) for r in rows)


async def room_usage_locked(room_id: UUID) -> int:
    """The room's usage for a quota check, with further additions held off until commit.

    A quota is a read-then-write: two uploads that both sum the room before either
    has committed would both fit (20 parallel 15 MB uploads stored 300 MB against a
    200 MB quota). So on PostgreSQL the room's row is locked (``SELECT … FOR NO KEY
    UPDATE``) first, and every check-and-add of one room takes its turn; under READ
    COMMITTED the sum after the lock sees the files of whoever held it before.

    ``NO KEY UPDATE``, the lock an ``UPDATE`` of the row takes anyway, not ``FOR
    UPDATE``: a full lock also blocks the key-share lock that every row inserted with
    a reference to the room takes (an outbox event, a message). A scanner holding
    its authority's outbox lock and inserting its event would then wait for the
    uploader, who waits for the outbox lock: a deadlock.

    A lock rather than a per-room usage counter: the attachments stay the one truth
    of what a room holds (nothing to drift or to keep up with deletions), no
    migration, and the room row is locked by every added item anyway (its
    ``last_seq``), so the lock only starts earlier in a transaction that would
    queue behind the same row. Other rooms are not affected. SQLite has one writer
    at a time (IMMEDIATE write transactions): there the plain sum is safe.
    """
    if not in_write_transaction():
        raise RuntimeError("room_usage_locked() outside write_transaction()")
    if isinstance(engine(), PostgresEngine):
        await Room.select(Room.id).where(Room.id == room_id).lock_rows("NO KEY UPDATE")
    return await room_usage(room_id)


async def do_add_attachments(
    room_id: UUID,
    message_id: UUID,
    files: Sequence[StoredFile],
    *,
    uploaded_by: UUID | None,
    request_item: UUID | None = None,
) -> list[UUID]:
    """Record stored files as quarantined (``pending``) attachments of a timeline item."""
    ids = []
    for f in files:
        attachment = Attachment(
            room=room_id,
            message=message_id,
            request_item=request_item,
            storage_key=f.storage_key,
            name=f.name,
            mime=f.mime,
            size=f.size,
            sha256=f.sha256,
            uploaded_by=uploaded_by,
        )
        await attachment.save()
        ids.append(UUID(str(attachment.id)))
    return ids


async def pending_scans(limit: int = 50) -> list[AttachmentView]:
    rows: list[dict[str, Any]] = (
        await Attachment.select()
        .where(Attachment.scan_state == ScanState.pending.value)
        .order_by(Attachment.created_at)
        .limit(limit)
    )
    return [AttachmentView.from_row(r) for r in rows]


async def attachments_by_message(
    room_id: UUID, message_ids: Collection[UUID] | None = None
) -> dict[UUID, list[AttachmentView]]:
    """The room's attachments by timeline item (only those items' if given)."""
    if message_ids is not None and not message_ids:
        return {}
    where: Combinable = Attachment.room == room_id
    if message_ids is not None:
        where = where & Attachment.message.is_in(list(message_ids))
    rows: list[dict[str, Any]] = (
        await Attachment.select().where(where).order_by(Attachment.created_at)
    )
    grouped: dict[UUID, list[AttachmentView]] = {}
    for row in rows:
        view = AttachmentView.from_row(row)
        grouped.setdefault(view.message_id, []).append(view)
    return grouped


async def named_storage_keys(keys: Collection[str]) -> set[str]:
    """Those of ``keys`` that an attachment row names (the rest are stored for nothing)."""
    if not keys:
        return set()
    rows: list[dict[str, Any]] = await Attachment.select(Attachment.storage_key).where(
        Attachment.storage_key.is_in(list(keys))
    )
    return {str(r["storage_key"]) for r in rows}
