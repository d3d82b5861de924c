"""Document requests and attachments in the domain: states, gates, quarantine."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile, attachments_by_message, pending_scans
from rooms.casework.posting import check_add_upload
from rooms.casework.requests import NewItem, check_create_request, check_review_item, open_requests
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.access import access_attachment, access_room
from rooms.kernel.errors import Invalid, NotAllowed, NotFound, Quarantined
from rooms.kernel.events import TimelineItemAdded, TimelineItemChanged
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE

pytestmark = pytest.mark.usefixtures("database")

LIMIT = 200 * 1024 * 1024


def today() -> date:
    return datetime.now(UTC).date()


def stored(name: str = "gehalt.pdf", size: int = 1000) -> StoredFile:
    return StoredFile(f"rooms/test/{uuid.uuid4()}", name, "application/pdf", size, "ab" * 32)


async def request_in(room_id: uuid.UUID) -> None:
    await check_create_request(
        SABINE,
        room_id,
        "Bitte reichen Sie nach:",
        [NewItem("Gehaltsnachweis"), NewItem("Mietvertrag", required=False)],
        today() + timedelta(days=14),
    )


async def test_request_upload_review_cycle() -> None:
    result = await builders.room(ERIKA)
    await request_in(result.room.id)
    [request] = await open_requests(result.room.id)
    assert request.days_left(today()) == 14 and not request.overdue(today())
    salary = request.items[0]

    events, [attachment_id] = await check_add_upload(
        ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT
    )
    assert isinstance(events[0], TimelineItemAdded)
    assert events[1] == TimelineItemChanged(room_id=result.room.id, seq=request.seq)
    assert await open_requests(result.room.id) == []  # the optional item does not block

    await check_review_item(SABINE, result.room.id, salary.id, accept=False, reason="unscharf")
    [again] = await open_requests(result.room.id)
    assert (again.items[0].state, again.items[0].reason) == ("rejected", "unscharf")
    await check_add_upload(ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT)
    await check_review_item(SABINE, result.room.id, salary.id, accept=True)
    assert await open_requests(result.room.id) == []
    with pytest.raises(Invalid):
        await check_add_upload(
            ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT
        )
    assert len(await attachments_by_message(result.room.id)) == 2
    assert attachment_id in {a.id for a in await pending_scans()}


async def test_only_the_authority_asks_and_only_for_a_sensible_deadline() -> None:
    result = await builders.room(ERIKA)
    with pytest.raises(NotAllowed):
        await check_create_request(
            ERIKA, result.room.id, "x", [NewItem("a")], today() + timedelta(days=1)
        )
    with pytest.raises(Invalid) as excinfo:
        await check_create_request(SABINE, result.room.id, "", [], today() - timedelta(days=1))
    assert set(excinfo.value.errors) == {"explanation", "items", "deadline"}
    with pytest.raises(NotFound):
        await check_create_request(
            OTTO, result.room.id, "x", [NewItem("a")], today() + timedelta(days=1)
        )


async def test_overdue_is_marked() -> None:
    result = await builders.room(ERIKA)
    await request_in(result.room.id)
    [request] = await open_requests(result.room.id)
    assert request.overdue(today() + timedelta(days=15))


async def test_quarantined_and_infected_files_reach_nobody_and_outsiders_get_404() -> None:
    result = await builders.room(ERIKA)
    _, [attachment_id] = await check_add_upload(ERIKA, result.room.id, [stored()], room_limit=LIMIT)
    for who in (ERIKA, SABINE):
        with pytest.raises(Quarantined):
            await access_attachment(who, attachment_id)
    for outsider in (JONAS, OTTO, None):
        with pytest.raises(NotFound):
            await access_attachment(outsider, attachment_id)
    with pytest.raises(NotFound):
        await access_attachment(ERIKA, uuid.uuid4())

    events = await do_record_verdict(attachment_id, clean=True)
    assert len(events) == 1 and isinstance(events[0], TimelineItemChanged)
    assert await do_record_verdict(attachment_id, clean=False) == []  # decided once
    assert (await access_attachment(SABINE, attachment_id)).clean

    _, [bad] = await check_add_upload(ERIKA, result.room.id, [stored()], room_limit=LIMIT)
    await do_record_verdict(bad, clean=False, signature="Eicar-Test-Signature")
    with pytest.raises(Quarantined):
        await access_attachment(ERIKA, bad)
    infected = await AuditEvent.select().where(AuditEvent.outcome == "infected")
    assert len(infected) == 1


async def test_room_limit_and_caseworkers_cannot_upload_here() -> None:
    result = await builders.room(ERIKA)
    with pytest.raises(Invalid) as excinfo:
        await check_add_upload(ERIKA, result.room.id, [stored(size=300)], room_limit=200)
    assert excinfo.value.errors == {"file": "room_limit"}
    with pytest.raises(NotFound):
        await check_add_upload(SABINE, result.room.id, [stored()], room_limit=LIMIT)
    assert (await access_room(ERIKA, result.room.id)).room.last_seq == 1
