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


async def test_every_event_type_carries_exactly_the_data_case_stores_had_before() -> None:
    """Each type's data as the stored JSON text (keys, their order, the values' types),
    as the hand-written outbox calls recorded it before the facts' catalogue."""
    from piccolo.utils.encoding import dump_json

    from rooms.casework.decisions import (
        check_issue_decision,
        check_record_retrieval,
        first_retrieval,
    )
    from rooms.casework.lifecycle import check_close_room, check_set_progress
    from rooms.kernel.access import access_attachment
    from rooms.kernel.tables import Decision, Room

    result = await builders.room(ERIKA)  # with the authority's first message
    room_id = result.room.id
    deadline = datetime.now(UTC).date() + timedelta(days=7)
    await check_create_request(SABINE, room_id, "Bitte", [NewItem("Nachweis")], deadline)
    [request] = await open_requests(room_id)
    item = request.items[0].id
    stored = StoredFile(f"rooms/t/{uuid.uuid4()}", "n.pdf", "application/pdf", 5, "a" * 64)
    [answer] = (
        await check_add_upload(ERIKA, room_id, [stored], item_id=item, room_limit=10**9)
    ).attachment_ids
    await do_record_verdict(answer, clean=True)
    await check_review_item(SABINE, room_id, item, accept=False, reason="unleserlich")
    bad = StoredFile(f"rooms/t/{uuid.uuid4()}", "b.pdf", "application/pdf", 7, "b" * 64)
    [infected] = (await check_add_upload(ERIKA, room_id, [bad], room_limit=10**9)).attachment_ids
    await do_record_verdict(infected, clean=False, signature="Eicar-Test-Signature")
    await check_redeem_invitation(JONAS, (await check_create_invitation(ERIKA, room_id)).code)
    [representative] = [p for p in await participants(room_id) if p.role == "representative"]
    await check_remove_representative(ERIKA, room_id, representative.id)
    await check_set_progress(SABINE, room_id, "waiting")
    document = StoredFile(f"rooms/t/{uuid.uuid4()}", "bescheid.pdf", "application/pdf", 9, "c" * 64)
    issued = await check_issue_decision(SABINE, room_id, "Bewilligt.", document)
    [decision_row] = await Decision.select(Decision.attachment, Decision.made_available_at)
    await do_record_verdict(decision_row["attachment"], clean=True)
    _, view = await access_attachment(ERIKA, decision_row["attachment"])
    retrieval = await first_retrieval(ERIKA, view)
    assert retrieval is not None
    retrieved_at = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    await check_record_retrieval(ERIKA, retrieval, "d" * 64, now=retrieved_at)
    await check_close_room(SABINE, room_id)

    [made] = await Decision.select(Decision.made_available_at)
    [room] = await Room.select(Room.closed_at).where(Room.id == room_id)
    decision_doc = str(decision_row["attachment"])
    expected: list[tuple[str, dict[str, object]]] = [
        ("room.created", {"case_ref": result.room.case_ref}),
        ("timeline.item_added", {"seq": 1, "kind": "message", "side": "authority"}),
        ("timeline.item_added", {"seq": 2, "kind": "request", "side": "authority"}),
        ("timeline.item_added", {"seq": 3, "kind": "upload", "side": "applicant"}),
        (
            "attachment.scanned",
            {"attachment_id": str(answer), "sha256": "a" * 64, "size": 5, "outcome": "clean"},
        ),
        ("request_item.reviewed", {"request_item_id": str(item), "state": "rejected"}),
        ("timeline.item_added", {"seq": 4, "kind": "upload", "side": "applicant"}),
        (
            "attachment.scanned",
            {"attachment_id": str(infected), "sha256": "b" * 64, "size": 7, "outcome": "infected"},
        ),
        ("participant.added", {"participant_id": str(representative.id), "role": "representative"}),
        (
            "participant.removed",
            {"participant_id": str(representative.id), "role": "representative"},
        ),
        ("room.status_changed", {"progress": "waiting"}),
        ("timeline.item_added", {"seq": 5, "kind": "decision", "side": "authority"}),
        ("room.status_changed", {"progress": "decided"}),
        (
            "attachment.scanned",
            {"attachment_id": decision_doc, "sha256": "c" * 64, "size": 9, "outcome": "clean"},
        ),
        (
            "decision.made_available",
            {
                "decision_id": str(issued.id),
                "attachment_id": decision_doc,
                "sha256": "c" * 64,
                "made_available_at": made["made_available_at"].isoformat(),
            },
        ),
        (
            "decision.retrieved",
            {
                "decision_id": str(issued.id),
                "retrieved_at": "2026-12-01T09:30:15.123456+00:00",
                "sha256": "d" * 64,
            },
        ),
        ("room.closed", {"closed_at": room["closed_at"].isoformat()}),
    ]
    rows = await OutboxEvent.select(OutboxEvent.type, OutboxEvent.data).order_by(OutboxEvent.id)
    assert [(r["type"], r["data"]) for r in rows] == [(t, dump_json(d)) for t, d in expected]
    assert made["made_available_at"].isoformat().endswith("+00:00")
    assert room["closed_at"].isoformat().endswith("+00:00")
