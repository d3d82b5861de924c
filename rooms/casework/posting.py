"""Posting into a room: a message (with files, for a case store) or an upload of files.

Each action is written once for every kind of caller (a person or a case store) and
passes the room gate with what it is about to do; files start quarantined and the
scanner is woken after commit. The room quota is checked with the room locked
(``room_usage_locked``), so parallel uploads cannot together exceed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.casework.attachments import StoredFile, do_add_attachments, room_usage_locked
from rooms.casework.timeline import (
    DEFAULT_MAX_LENGTH,
    PostedItem,
    author_of,
    clean_body,
    do_add_item,
)
from rooms.kernel import audit
from rooms.kernel.access import access_room, parse_id
from rooms.kernel.actors import Principal
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.events import ItemChanged
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import RequestItem
from rooms.kernel.vocabulary import ItemKind, RequestItemState, Side
from rooms.outbound.outbox import do_record


async def check_post_message(
    principal: Principal,
    room_id: UUID | str,
    body: str,
    files: Sequence[StoredFile] = (),
    *,
    room_limit: int | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> PostedItem:
    """Authorise, validate and post a message in one transaction.

    ``files`` (stored and checked by the caller) start quarantined; ``room_limit``
    caps the bytes a room may hold.
    """
    size = sum(f.size for f in files)
    async with write_transaction():
        access = await access_room(principal, room_id, writing=True, case_store=True)
        text = clean_body(body, max_length)  # after the gate, as everywhere
        if (
            files
            and room_limit is not None
            and await room_usage_locked(access.room.id) + size > room_limit
        ):
            raise Invalid({"attachments": "room_limit"})
        author, for_whom = await author_of(access)
        message_id, seq = await do_add_item(
            access.room.id,
            side=access.side,
            author=author,
            author_name=access.author_name,
            body=text,
            for_whom=for_whom,
            files=len(files),
        )
        ids = await do_add_attachments(access.room.id, message_id, files, uploaded_by=author)
        detail: dict[str, Any] = {"seq": seq}
        if files:
            detail |= {"attachments": len(files), "bytes": size}
        await audit.record(
            "message_posted",
            actor=principal,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail=detail,
        )
    return PostedItem(message_id, seq, tuple(ids))


async def check_add_upload(
    principal: Principal,
    room_id: UUID | str,
    files: Sequence[StoredFile],
    *,
    item_id: UUID | str | None = None,
    room_limit: int,
) -> PostedItem:
    """The applicant's side adds files, free or to a request item; they start quarantined.

    The authority's side sends files with a message or a decision instead: for it,
    this action does not exist (``NotFound``).
    """
    async with write_transaction():
        access = await access_room(principal, room_id, writing=True, side=Side.applicant)
        if not files:
            raise Invalid({"file": "empty"})
        if await room_usage_locked(access.room.id) + sum(f.size for f in files) > room_limit:
            raise Invalid({"file": "room_limit"})
        item = await _answerable_item(parse_id(item_id), access) if item_id else None
        author, for_whom = await author_of(access)
        message_id, seq = await do_add_item(
            access.room.id,
            side=Side.applicant,
            author=author,
            author_name=access.author_name,
            body="",
            for_whom=for_whom,
            kind=ItemKind.upload,
            files=len(files),
        )
        ids = await do_add_attachments(
            access.room.id, message_id, files, uploaded_by=author, request_item=item
        )
        if item is not None:
            await _mark_submitted(item, access)
        await audit.record(
            "attachments_uploaded",
            actor=principal,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={"count": len(files), "bytes": sum(f.size for f in files)},
        )
    return PostedItem(message_id, seq, tuple(ids))


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


async def _mark_submitted(item_id: UUID, access: RoomAccess) -> None:
    await RequestItem.update(
        {
            RequestItem.state: RequestItemState.submitted.value,
            RequestItem.reason: "",
            RequestItem.updated_at: datetime.now(UTC),
        }
    ).where(RequestItem.id == item_id)
    row: dict[str, Any] | None = (
        await RequestItem.select(RequestItem.request._.message._.seq)
        .where(RequestItem.id == item_id)
        .first()
    )
    assert row is not None
    room = access.room
    await do_record(ItemChanged(room.id, room.authority_id, seq=int(row["request.message.seq"])))
