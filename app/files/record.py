"""The record step of ``accept()``: the domain actions that record an accepted upload.

The upload pipeline calls the domain here and nowhere else. Each route's handler
passes ``accept()`` a record step that calls one of these with what it received and
the staged files; each is one action for a person and for a case store alike, run
in the action's own transaction, and returns what the route answers with.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import IssuedDecision, check_issue_decision
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.timeline import PostedItem
from rooms.kernel.actors import Principal


async def upload(
    principal: Principal,
    room_id: UUID | str,
    files: Sequence[StoredFile],
    *,
    item_id: UUID | str | None,
    room_limit: int,
) -> PostedItem:
    """The applicant's side adds files (to a request item, if given)."""
    return await check_add_upload(principal, room_id, files, item_id=item_id, room_limit=room_limit)


async def message(
    principal: Principal,
    room_id: UUID | str,
    body: str,
    files: Sequence[StoredFile],
    *,
    room_limit: int,
    max_length: int,
) -> PostedItem:
    """A message with files (the case store posts as its authority)."""
    return await check_post_message(
        principal, room_id, body, files, room_limit=room_limit, max_length=max_length
    )


async def decision(
    principal: Principal, room_id: UUID | str, summary: str, files: Sequence[StoredFile]
) -> IssuedDecision:
    """A decision with its document (the one staged file): a caseworker's or a case store's."""
    [document] = files
    return await check_issue_decision(principal, room_id, summary, document)
