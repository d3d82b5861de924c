"""Attachments: recorded after upload, quarantined until the scanner says clean.

The web layer streams, hashes, type-checks and stores the file; the domain records
it, links it to a request item, and is the only gate to it afterwards.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.custom_types import Combinable

from rooms.casework.timeline import DEFAULT_MAX_LENGTH, author_of, clean_body, do_add_item
from rooms.kernel import audit
from rooms.kernel.access import (
    access_room,
    access_room_for_client,
    access_room_for_client_writing,
    access_room_for_writing,
    parse_id,
)
from rooms.kernel.actors import Actor, MachineClient
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound, Quarantined
from rooms.kernel.events import Event, TimelineItemAdded, TimelineItemChanged
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import (
    Attachment,
    ItemKind,
    RequestItem,
    RequestItemState,
    ScanState,
    Side,
)
from rooms.outbound.outbox import do_record_event


@dataclass(frozen=True)
class StoredFile:
    """A file the web layer has streamed, hashed, checked and stored."""

    storage_key: str
    name: str
    mime: str
    size: int
    sha256: str


@dataclass(frozen=True)
class AttachmentView:
    id: UUID
    room_id: UUID
    message_id: UUID
    name: str
    mime: str
    size: int
    sha256: str
    scan_state: str
    storage_key: str

    @property
    def clean(self) -> bool:
        return self.scan_state == ScanState.clean.value


def _view(row: dict[str, Any]) -> AttachmentView:
    return AttachmentView(
        id=UUID(str(row["id"])),
        room_id=UUID(str(row["room"])),
        message_id=UUID(str(row["message"])),
        name=row["name"],
        mime=row["mime"],
        size=int(row["size"]),
        sha256=row["sha256"],
        scan_state=row["scan_state"],
        storage_key=row["storage_key"],
    )


async def room_usage(room_id: UUID) -> int:
    """Bytes stored in the room (infected files included: they count until deleted)."""
    rows: list[dict[str, Any]] = await Attachment.select(Attachment.size).where(
        Attachment.room == room_id
    )
    return sum(int(r["size"]) for r in rows)


async def do_add_attachments(
    room_id: UUID,
    message_id: UUID,
    files: list[StoredFile],
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


async def check_add_upload(
    actor: Actor,
    room_id: UUID | str,
    files: list[StoredFile],
    *,
    item_id: UUID | str | None = None,
    room_limit: int,
) -> tuple[list[Event], list[UUID]]:
    """The applicant's side adds files, free or to a request item; they start quarantined."""
    if not files:
        raise Invalid({"file": "empty"})
    async with write_transaction():
        access = await access_room_for_writing(actor, room_id)
        if access.side is not Side.applicant:
            raise NotFound()  # caseworkers send decisions through their own path
        if await room_usage(access.room.id) + sum(f.size for f in files) > room_limit:
            raise Invalid({"file": "room_limit"})
        item = await _answerable_item(parse_id(item_id), access) if item_id else None
        author, for_whom = await author_of(access, actor)
        message_id, seq = await do_add_item(
            access.room.id,
            side=Side.applicant,
            author=author,
            author_name=actor.name,
            body="",
            for_whom=for_whom,
            kind=ItemKind.upload,
        )
        ids = await do_add_attachments(
            access.room.id, message_id, files, uploaded_by=author, request_item=item
        )
        events: list[Event] = [TimelineItemAdded(room_id=access.room.id, seq=seq)]
        if item is not None:
            events.append(await _mark_submitted(item))
        await audit.record(
            "attachments_uploaded",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={"count": len(files), "bytes": sum(f.size for f in files)},
        )
    return events, ids


async def _answerable_item(item_id: UUID, access: RoomAccess) -> UUID:
    row: dict[str, Any] | None = (
        await RequestItem.select(RequestItem.id, RequestItem.state)
        .where((RequestItem.id == item_id) & (RequestItem.request._.room == access.room.id))
        .first()
    )
    if row is None:
        raise NotFound()
    if row["state"] == RequestItemState.accepted.value:
        raise Invalid({"item": "already_accepted"})
    return UUID(str(row["id"]))


async def _mark_submitted(item_id: UUID) -> Event:
    await RequestItem.update(
        {
            RequestItem.state: RequestItemState.submitted.value,
            RequestItem.reason: "",
            RequestItem.updated_at: datetime.now(UTC),
        }
    ).where(RequestItem.id == item_id)
    row: dict[str, Any] | None = (
        await RequestItem.select(RequestItem.request._.room, RequestItem.request._.message._.seq)
        .where(RequestItem.id == item_id)
        .first()
    )
    assert row is not None
    return TimelineItemChanged(
        room_id=UUID(str(row["request.room"])), seq=int(row["request.message.seq"])
    )


async def do_record_verdict(
    attachment_id: UUID, *, clean: bool, signature: str = ""
) -> list[Event]:
    """Store the scanner's verdict; an infected file stays away from everyone."""
    state = ScanState.clean if clean else ScanState.infected
    async with write_transaction():
        rows: list[dict[str, Any]] = await (
            Attachment.update(
                {
                    Attachment.scan_state: state.value,
                    Attachment.signature: signature[:200],
                    Attachment.scanned_at: datetime.now(UTC),
                }
            )
            .where(
                (Attachment.id == attachment_id)
                & (Attachment.scan_state == ScanState.pending.value)
            )
            .returning(Attachment.room, Attachment.sha256, Attachment.size)
        )
        if not rows:
            return []  # already decided (a second worker, a rescan): nothing changes
        room_id = UUID(str(rows[0]["room"]))
        seq_row: dict[str, Any] | None = (
            await Attachment.select(Attachment.message._.seq, Attachment.room._.authority)
            .where(Attachment.id == attachment_id)
            .first()
        )
        assert seq_row is not None
        await do_record_event(
            "attachment.scanned",
            authority_id=UUID(str(seq_row["room.authority"])),
            room_id=room_id,
            data={
                "attachment_id": str(attachment_id),
                "sha256": rows[0]["sha256"],
                "size": int(rows[0]["size"]),
                "outcome": state.value,
            },
        )
        if clean:
            # A decision's document is made available by this verdict (rooms.casework.decisions
            # builds on this module, hence the import here).
            from rooms.casework.decisions import do_make_available

            await do_make_available(attachment_id)
        await audit.record(
            "attachment_scanned",
            actor=None,
            machine="scanner",
            outcome="ok" if clean else "infected",
            room_id=room_id,
            detail={"signature": signature[:200]} if not clean else {},
        )
    return [TimelineItemChanged(room_id=room_id, seq=int(seq_row["message.seq"]))]


async def pending_scans(limit: int = 50) -> list[AttachmentView]:
    rows: list[dict[str, Any]] = (
        await Attachment.select()
        .where(Attachment.scan_state == ScanState.pending.value)
        .order_by(Attachment.created_at)
        .limit(limit)
    )
    return [_view(r) for r in rows]


async def access_attachment(actor: Actor | None, attachment_id: UUID | str) -> AttachmentView:
    """The one gate to a file: its room's gate, then the file must be clean."""
    aid = parse_id(attachment_id)
    row: dict[str, Any] | None = await Attachment.select().where(Attachment.id == aid).first()
    if row is None:
        raise NotFound()
    view = _view(row)
    await access_room(actor, view.room_id)  # NotFound for everyone outside the room
    if not view.clean:
        raise Quarantined()
    return view


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
        view = _view(row)
        grouped.setdefault(view.message_id, []).append(view)
    return grouped


# --- case stores (machine API) --------------------------------------------------------


async def check_post_by_client(
    client: MachineClient,
    room_id: UUID | str,
    body: str,
    files: list[StoredFile],
    *,
    room_limit: int,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> tuple[list[Event], UUID, int, list[UUID]]:
    """The case store posts a message as its authority, with files that start quarantined.

    Returns the events, the item's id and sequence number, and the attachments' ids.
    """
    text = clean_body(body, max_length)
    async with write_transaction():
        room = await access_room_for_client_writing(client, room_id)
        if files and await room_usage(room.id) + sum(f.size for f in files) > room_limit:
            raise Invalid({"attachments": "room_limit"})
        message_id, seq = await do_add_item(
            room.id,
            side=Side.authority,
            author=None,
            author_name=client.authority_name,
            body=text,
        )
        ids = await do_add_attachments(room.id, message_id, files, uploaded_by=None)
        await audit.record(
            "message_posted",
            actor=None,
            machine=client.audit_name,
            room_id=room.id,
            authority_id=room.authority_id,
            detail={"seq": seq, "attachments": len(files), "bytes": sum(f.size for f in files)},
        )
    return [TimelineItemAdded(room_id=room.id, seq=seq)], message_id, seq, ids


async def access_attachment_for_client(
    client: MachineClient, room_id: UUID | str, attachment_id: UUID | str
) -> AttachmentView:
    """The file gate for case stores: the room's client gate, the room, then clean only."""
    room = await access_room_for_client(client, room_id)
    aid = parse_id(attachment_id)
    row: dict[str, Any] | None = (
        await Attachment.select()
        .where((Attachment.id == aid) & (Attachment.room == room.id))
        .first()
    )
    if row is None:
        raise NotFound()
    view = _view(row)
    if not view.clean:
        raise Quarantined()
    return view
