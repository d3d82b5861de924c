"""Document requests and attachments in the domain: states, gates, quarantine."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile, attachments_by_message, pending_scans
from rooms.casework.lifecycle import check_close_room
from rooms.casework.posting import check_add_upload
from rooms.casework.requests import NewItem, check_create_request, check_review_item, open_requests
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.access import access_attachment, access_room
from rooms.kernel.errors import Invalid, NotFound, Quarantined, RoomClosed
from rooms.kernel.events import AttachmentScanned, ItemAdded, ItemChanged, RequestItemReviewed
from rooms.kernel.tables import AuditEvent, RequestItem
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

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
    room_id, authority_id = result.room.id, result.room.authority_id

    with committed_facts() as heard:
        upload = await check_add_upload(
            ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT
        )
    [attachment_id] = upload.attachment_ids
    assert upload.seq == request.seq + 1
    assert heard == [
        ItemAdded(room_id, authority_id, seq=upload.seq, kind="upload", side="applicant", files=1),
        ItemChanged(room_id, authority_id, seq=request.seq),
    ]
    assert heard[0].wakes_scanner
    assert await open_requests(result.room.id) == []  # the optional item does not block

    with committed_facts() as heard:
        await check_review_item(SABINE, result.room.id, salary.id, accept=False, reason="unscharf")
    assert heard == [
        RequestItemReviewed(
            room_id, authority_id, seq=request.seq, request_item_id=salary.id, state="rejected"
        )
    ]
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
    """The applicant asking gets ``NotFound`` like an outsider (formerly ``NotAllowed``)."""
    result = await builders.room(ERIKA)
    with committed_facts() as heard:
        for who in (ERIKA, OTTO):
            with pytest.raises(NotFound):
                await check_create_request(
                    who, result.room.id, "x", [NewItem("a")], today() + timedelta(days=1)
                )
        with pytest.raises(Invalid) as excinfo:
            await check_create_request(SABINE, result.room.id, "", [], today() - timedelta(days=1))
        assert set(excinfo.value.errors) == {"explanation", "items", "deadline"}
    assert heard == []
    assert await open_requests(result.room.id) == []
    with committed_facts() as heard:
        posted = await check_create_request(
            SABINE, result.room.id, "Bitte", [NewItem("a")], today() + timedelta(days=1)
        )
    assert posted.seq == result.room.last_seq + 1 and posted.attachment_ids == ()
    assert heard == [
        ItemAdded(
            result.room.id,
            result.room.authority_id,
            seq=posted.seq,
            kind="request",
            side="authority",
        )
    ]


async def test_the_applicant_side_reviewing_an_item_gets_not_found() -> None:
    """Formerly ``NotAllowed``: now the same ``NotFound`` as every staff-only action."""
    result = await builders.room(ERIKA)
    await request_in(result.room.id)
    [request] = await open_requests(result.room.id)
    salary = request.items[0]
    await check_add_upload(ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT)
    with committed_facts() as heard:
        for who in (ERIKA, JONAS, OTTO):
            with pytest.raises(NotFound):
                await check_review_item(who, result.room.id, salary.id, accept=True)
        with pytest.raises(NotFound):  # rejecting, too
            await check_review_item(ERIKA, result.room.id, salary.id, accept=False, reason="x")
    assert heard == []
    row = await RequestItem.select(RequestItem.state).where(RequestItem.id == salary.id).first()
    assert row is not None and row["state"] == "submitted"


async def test_a_closed_room_refuses_requests_reviews_and_uploads() -> None:
    result = await builders.room(ERIKA)
    await request_in(result.room.id)
    [request] = await open_requests(result.room.id)
    salary = request.items[0]
    await check_add_upload(ERIKA, result.room.id, [stored()], item_id=salary.id, room_limit=LIMIT)
    await check_close_room(SABINE, result.room.id)
    with committed_facts() as heard:
        with pytest.raises(RoomClosed):
            await check_create_request(
                SABINE, result.room.id, "x", [NewItem("a")], today() + timedelta(days=1)
            )
        with pytest.raises(RoomClosed):
            await check_review_item(SABINE, result.room.id, salary.id, accept=True)
        with pytest.raises(RoomClosed):
            await check_add_upload(ERIKA, result.room.id, [stored()], room_limit=LIMIT)
        # the side before the closed room: the applicant learns nothing of staff actions
        with pytest.raises(NotFound):
            await check_review_item(ERIKA, result.room.id, salary.id, accept=True)
    assert heard == []


async def test_overdue_is_marked() -> None:
    result = await builders.room(ERIKA)
    await request_in(result.room.id)
    [request] = await open_requests(result.room.id)
    assert request.overdue(today() + timedelta(days=15))


async def test_quarantined_and_infected_files_reach_nobody_and_outsiders_get_404() -> None:
    result = await builders.room(ERIKA)
    upload = await check_add_upload(ERIKA, result.room.id, [stored()], room_limit=LIMIT)
    [attachment_id] = upload.attachment_ids
    for who in (ERIKA, SABINE):
        with pytest.raises(Quarantined):
            await access_attachment(who, attachment_id)
    for outsider in (JONAS, OTTO, None):
        with pytest.raises(NotFound):
            await access_attachment(outsider, attachment_id)
    with pytest.raises(NotFound):
        await access_attachment(ERIKA, uuid.uuid4())

    with committed_facts() as heard:
        assert await do_record_verdict(attachment_id, clean=True) is True
    assert heard == [
        AttachmentScanned(
            result.room.id,
            result.room.authority_id,
            seq=upload.seq,
            attachment_id=attachment_id,
            sha256="ab" * 32,
            size=1000,
            outcome="clean",
        )
    ]
    with committed_facts() as heard:
        assert await do_record_verdict(attachment_id, clean=False) is False  # decided once
    assert heard == []
    access, view = await access_attachment(SABINE, attachment_id)
    assert view.clean and view.id == attachment_id
    assert access.room.id == result.room.id and access.principal == SABINE
    with pytest.raises(NotFound):  # a file of this room under another room's id
        await access_attachment(ERIKA, attachment_id, room_id=uuid.uuid4())
    assert (await access_attachment(ERIKA, attachment_id, room_id=result.room.id))[1].clean

    [bad] = (
        await check_add_upload(ERIKA, result.room.id, [stored()], room_limit=LIMIT)
    ).attachment_ids
    await do_record_verdict(bad, clean=False, signature="Eicar-Test-Signature")
    with pytest.raises(Quarantined):
        await access_attachment(ERIKA, bad)
    infected = await AuditEvent.select().where(AuditEvent.outcome == "infected")
    assert len(infected) == 1


async def test_room_limit_and_caseworkers_cannot_upload_here() -> None:
    result = await builders.room(ERIKA)
    machine, _ = await builders.client()
    with committed_facts() as heard:
        with pytest.raises(Invalid) as excinfo:
            await check_add_upload(ERIKA, result.room.id, [stored(size=300)], room_limit=200)
        assert excinfo.value.errors == {"file": "room_limit"}
        for authority_side in (SABINE, machine):
            with pytest.raises(NotFound):
                await check_add_upload(authority_side, result.room.id, [stored()], room_limit=LIMIT)
    assert heard == []
    assert (await access_room(ERIKA, result.room.id)).room.last_seq == 1
