"""What the timeline templates get: the whole room for a page, one item for a live update."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from app.web.timeline import timeline_context
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import check_issue_decision
from rooms.casework.posting import check_add_upload
from rooms.casework.requests import NewItem, check_create_request
from rooms.kernel.tables import Message
from tests import builders
from tests.cast import ERIKA, SABINE

pytestmark = pytest.mark.usefixtures("database")


def stored(name: str) -> StoredFile:
    return StoredFile(f"rooms/test/{uuid.uuid4()}", name, "application/pdf", 2048, "ab" * 32)


async def item_ids(room_id: UUID) -> dict[int, UUID]:
    rows = await Message.select(Message.id, Message.seq).where(Message.room == room_id)
    return {r["seq"]: UUID(str(r["id"])) for r in rows}


async def test_a_live_update_reads_only_the_items_it_sends() -> None:
    room = (await builders.room(ERIKA)).room.id  # 1: the question
    deadline = datetime.now(UTC).date() + timedelta(days=7)
    await check_create_request(SABINE, room, "Bitte nachreichen", [NewItem("Nachweis")], deadline)
    await check_add_upload(ERIKA, room, [stored("nachweis.pdf")], item_id=None, room_limit=10**9)
    await check_issue_decision(SABINE, room, "Bewilligt.", stored("bescheid.pdf"))
    ids = await item_ids(room)  # 2: request, 3: upload, 4: decision

    whole = await timeline_context(room)
    assert set(whole["requests"]) == {ids[2]}
    assert set(whole["attachments"]) == {ids[3], ids[4]}
    assert set(whole["decisions"]) == {ids[4]}

    upload = await timeline_context(room, [ids[3]])
    assert set(upload["attachments"]) == {ids[3]}
    assert upload["requests"] == {} and upload["decisions"] == {}

    decision = await timeline_context(room, [ids[4]])
    assert set(decision["decisions"]) == {ids[4]} and set(decision["attachments"]) == {ids[4]}
    assert decision["requests"] == {}

    nothing = await timeline_context(room, [])
    assert nothing["requests"] == nothing["attachments"] == nothing["decisions"] == {}
