"""Document requests: a caseworker asks for documents with a deadline; items are reviewed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from piccolo.custom_types import Combinable

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
from rooms.kernel.events import RequestItemReviewed
from rooms.kernel.tables import DocumentRequest, RequestItem
from rooms.kernel.text import INVALID_CHARACTERS, holds_nul
from rooms.kernel.vocabulary import ItemKind, RequestItemState, Side
from rooms.outbound.outbox import do_record

MAX_ITEMS = 20
LONGEST_DEADLINE = timedelta(days=366)


@dataclass(frozen=True)
class NewItem:
    label: str
    required: bool = True


@dataclass(frozen=True)
class ItemView:
    id: UUID
    label: str
    required: bool
    state: str
    reason: str


@dataclass(frozen=True)
class RequestView:
    id: UUID
    seq: int
    deadline: date
    items: tuple[ItemView, ...]

    def days_left(self, today: date) -> int:
        return (self.deadline - today).days

    @property
    def open(self) -> bool:
        """Anything still missing: open or rejected items that are required."""
        return any(
            i.required and i.state in (RequestItemState.open, RequestItemState.rejected)
            for i in self.items
        )

    def overdue(self, today: date) -> bool:
        return self.open and self.deadline < today


def validate(
    explanation: str, items: list[NewItem], deadline: date, today: date, max_length: int
) -> tuple[str, list[NewItem]]:
    errors: dict[str, str] = {}
    text = ""
    try:
        text = clean_body(explanation, max_length)
    except Invalid as exc:
        errors["explanation"] = exc.errors["body"]
    labels = [NewItem(i.label.strip(), i.required) for i in items if i.label.strip()]
    if not labels:
        errors["items"] = "empty"
    elif len(labels) > MAX_ITEMS or any(len(i.label) > 200 for i in labels):
        errors["items"] = "too_long"
    elif holds_nul(*(i.label for i in labels)):
        errors["items"] = INVALID_CHARACTERS
    if deadline < today:
        errors["deadline"] = "past"
    elif deadline > today + LONGEST_DEADLINE:
        errors["deadline"] = "too_far"
    if errors:
        raise Invalid(errors)
    return text, labels


async def check_create_request(
    actor: Principal,
    room_id: UUID | str,
    explanation: str,
    items: list[NewItem],
    deadline: date,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> PostedItem:
    """Only the authority's side asks for documents."""
    today = datetime.now(UTC).date()
    async with write_transaction():
        access = await access_room(actor, room_id, writing=True, staff_only=True)
        # After the gate: the applicant side and outsiders learn nothing from a 422.
        text, labels = validate(explanation, items, deadline, today, max_length)
        author, _ = await author_of(access)
        message_id, seq = await do_add_item(
            access.room.id,
            side=Side.authority,
            author=author,
            author_name=access.author_name,
            body=text,
            kind=ItemKind.request,
        )
        request = DocumentRequest(room=access.room.id, message=message_id, deadline=deadline)
        await request.save()
        await RequestItem.insert(
            *[
                RequestItem(request=request.id, position=n, label=i.label, required=i.required)
                for n, i in enumerate(labels)
            ]
        )
        await audit.record(
            "document_request_created",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={"items": len(labels), "deadline": deadline.isoformat()},
        )
    return PostedItem(message_id, seq)


async def _item_in_room(item_id: UUID, room_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await RequestItem.select(
            RequestItem.id,
            RequestItem.state,
            RequestItem.request,
            RequestItem.request._.message._.seq,
        )
        .where((RequestItem.id == item_id) & (RequestItem.request._.room == room_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def check_review_item(
    actor: Principal, room_id: UUID | str, item_id: UUID | str, *, accept: bool, reason: str = ""
) -> None:
    """A caseworker accepts a submitted item, or rejects it with a reason (asking again)."""
    reason = reason.strip()
    async with write_transaction():
        access = await access_room(actor, room_id, writing=True, staff_only=True)
        if not accept and not reason:  # after the gate, as everywhere
            raise Invalid({"reason": "empty"})
        if len(reason) > 2000:
            raise Invalid({"reason": "too_long"})
        if holds_nul(reason):
            raise Invalid({"reason": INVALID_CHARACTERS})
        row = await _item_in_room(parse_id(item_id), access.room.id)
        if row["state"] != RequestItemState.submitted.value:
            raise Invalid({"state": "not_submitted"})
        state = RequestItemState.accepted if accept else RequestItemState.rejected
        await RequestItem.update(
            {
                RequestItem.state: state.value,
                RequestItem.reason: "" if accept else reason,
                RequestItem.updated_at: datetime.now(UTC),
            }
        ).where(RequestItem.id == row["id"])
        await do_record(
            RequestItemReviewed(
                access.room.id,
                access.room.authority_id,
                seq=int(row["request.message.seq"]),
                request_item_id=UUID(str(row["id"])),
                state=state.value,
            )
        )
        await audit.record(
            "document_reviewed",
            actor=actor,
            room_id=access.room.id,
            authority_id=access.room.authority_id,
            detail={"state": state.value},
        )


async def requests_by_message(
    room_id: UUID, message_ids: Collection[UUID] | None = None
) -> dict[UUID, RequestView]:
    """The room's requests, keyed by their timeline item's id (only those items' if given)."""
    if message_ids is not None and not message_ids:
        return {}
    where: Combinable = DocumentRequest.room == room_id
    if message_ids is not None:
        where = where & DocumentRequest.message.is_in(list(message_ids))
    requests: list[dict[str, Any]] = await DocumentRequest.select(
        DocumentRequest.id,
        DocumentRequest.message,
        DocumentRequest.message._.seq,
        DocumentRequest.deadline,
    ).where(where)
    if not requests:
        return {}
    items: list[dict[str, Any]] = (
        await RequestItem.select()
        .where(RequestItem.request.is_in([r["id"] for r in requests]))
        .order_by(RequestItem.position)
    )
    views: dict[UUID, RequestView] = {}
    for r in requests:
        mine = tuple(
            ItemView(UUID(str(i["id"])), i["label"], bool(i["required"]), i["state"], i["reason"])
            for i in items
            if str(i["request"]) == str(r["id"])
        )
        views[UUID(str(r["message"]))] = RequestView(
            UUID(str(r["id"])), int(r["message.seq"]), r["deadline"], mine
        )
    return views


async def open_requests(room_id: UUID) -> list[RequestView]:
    return [r for r in (await requests_by_message(room_id)).values() if r.open]
