"""The record step of ``accept()``: the domain actions that record an accepted upload.

The upload pipeline calls the domain here and nowhere else. Each route's handler
passes ``accept()`` a record step that calls one of these with what it received and
the staged files; each runs its action in the action's own transaction and returns
the events to publish and what the route answers with.

Domain calls: the person and machine twins are called side by side below
(``check_add_upload`` / ``check_post_by_client``, ``check_issue_decision`` /
``check_issue_decision_by_client``). When each pair becomes one action that takes a
principal, each pair here becomes one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.files.accept import Recorded
from rooms.casework.attachments import StoredFile, check_add_upload, check_post_by_client
from rooms.casework.decisions import check_issue_decision, check_issue_decision_by_client
from rooms.kernel.actors import Actor, MachineClient


@dataclass(frozen=True)
class PostedMessage:
    message_id: UUID
    seq: int
    attachment_ids: list[UUID]
    files: list[StoredFile]


@dataclass(frozen=True)
class IssuedDecision:
    decision_id: UUID
    seq: int


# --- attachments: a person's upload, a case store's message ------------------------------


async def upload(
    actor: Actor,
    room_id: UUID | str,
    files: list[StoredFile],
    *,
    item_id: UUID | str | None,
    room_limit: int,
) -> Recorded[int]:
    """The applicant's side adds files (to a request item, if given); the item's seq."""
    events, _ = await check_add_upload(
        actor, room_id, files, item_id=item_id, room_limit=room_limit
    )
    return Recorded(events, events[0].seq)  # type: ignore[union-attr]


async def message_by_client(
    client: MachineClient,
    room_id: UUID | str,
    body: str,
    files: list[StoredFile],
    *,
    room_limit: int,
    max_length: int,
) -> Recorded[PostedMessage]:
    """The case store posts a message as its authority, with the files."""
    events, message_id, seq, ids = await check_post_by_client(
        client, room_id, body, files, room_limit=room_limit, max_length=max_length
    )
    return Recorded(events, PostedMessage(message_id, seq, ids, list(files)))


# --- decisions: a caseworker's, a case store's -------------------------------------------


async def decision(
    actor: Actor, room_id: UUID | str, summary: str, files: list[StoredFile]
) -> Recorded[IssuedDecision]:
    """A caseworker issues a decision with its document (the one staged file)."""
    [document] = files
    decision_id, events = await check_issue_decision(actor, room_id, summary, document)
    return Recorded(events, IssuedDecision(decision_id, events[0].seq))  # type: ignore[union-attr]


async def decision_by_client(
    client: MachineClient, room_id: UUID | str, summary: str, files: list[StoredFile]
) -> Recorded[IssuedDecision]:
    """The case store posts a decision with its document (the one staged file)."""
    [document] = files
    decision_id, events = await check_issue_decision_by_client(client, room_id, summary, document)
    return Recorded(events, IssuedDecision(decision_id, events[0].seq))  # type: ignore[union-attr]
