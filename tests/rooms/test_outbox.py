"""Every state change writes its outbox event in the same transaction; failures write none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.representatives import (
    check_create_invitation,
    check_redeem_invitation,
    check_remove_representative,
    participants,
)
from rooms.casework.requests import NewItem, check_create_request, check_review_item, open_requests
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.events import ItemChanged
from rooms.kernel.tables import OutboxEvent
from rooms.outbound.outbox import feed
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def types() -> list[str]:
    rows = await OutboxEvent.select(OutboxEvent.type).order_by(OutboxEvent.id)
    return [r["type"] for r in rows]


async def test_the_whole_story_leaves_one_event_per_change_in_order() -> None:
    with committed_facts() as heard:
        result = await builders.room(ERIKA)  # room.created, then the first message
        room_id = result.room.id
        await check_post_message(ERIKA, room_id, "Antwort")
        deadline = datetime.now(UTC).date() + timedelta(days=7)
        await check_create_request(SABINE, room_id, "Bitte", [NewItem("Nachweis")], deadline)
        [request] = await open_requests(room_id)
        stored = StoredFile(f"rooms/t/{uuid.uuid4()}", "n.pdf", "application/pdf", 5, "a" * 64)
        upload = await check_add_upload(
            ERIKA, room_id, [stored], item_id=request.items[0].id, room_limit=10**9
        )
        [attachment] = upload.attachment_ids
        await do_record_verdict(attachment, clean=True)
        await check_review_item(SABINE, room_id, request.items[0].id, accept=True)
        await check_redeem_invitation(JONAS, (await check_create_invitation(ERIKA, room_id)).code)
        [representative] = [p for p in await participants(room_id) if p.role == "representative"]
        await check_remove_representative(ERIKA, room_id, representative.id)

    assert await types() == [
        "room.created",
        "timeline.item_added",  # the authority's first message
        "timeline.item_added",  # Erika's reply
        "timeline.item_added",  # the request
        "timeline.item_added",  # the upload
        "attachment.scanned",
        "request_item.reviewed",
        "participant.added",
        "participant.removed",
    ]
    events = await feed(result.room.authority_id)
    assert events[5].data == {
        "attachment_id": str(attachment),
        "sha256": "a" * 64,
        "size": 5,
        "outcome": "clean",
    }
    assert "Antwort" not in str([e.data for e in events])  # ids and facts, no bodies
    assert len({e.id for e in events}) == len(events)
    # Every fact a case store hears of became exactly one row, in the order announced;
    # the rest (the submitted request item) stays inside the portal.
    assert [f.TYPE for f in heard if f.TYPE is not None] == await types()
    assert [type(f) for f in heard if f.TYPE is None] == [ItemChanged]
    assert all(f.room_id == room_id for f in heard)


async def test_a_refused_change_writes_no_event() -> None:
    result = await builders.room(ERIKA, message=None)
    before = await types()
    with committed_facts() as heard:
        with pytest.raises(Invalid):
            await check_post_message(ERIKA, result.room.id, "")
        with pytest.raises(NotFound):
            await check_post_message(OTTO, result.room.id, "Hallo")
    assert heard == []
    assert await types() == before == ["room.created"]


async def test_the_feed_is_per_authority_and_pages_by_cursor() -> None:
    await builders.authority("demo-kreis", "Kreis")
    mine = await builders.room(ERIKA, message=None)
    await builders.room(JONAS, authority_slug="demo-kreis", message=None)
    for n in range(3):
        await check_post_message(ERIKA, mine.room.id, f"Nachricht {n}")
    first = await feed(mine.room.authority_id, limit=2)
    rest = await feed(mine.room.authority_id, after=first[-1].cursor)
    assert [e.type for e in first + rest] == ["room.created"] + ["timeline.item_added"] * 3
    assert {e.room_id for e in first + rest} == {mine.room.id}
    assert await feed(mine.room.authority_id, after=rest[-1].cursor) == []
