"""Decisions in the domain: issuing, made available by a clean scan, first retrieval."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import (
    check_issue_decision,
    check_record_retrieval,
    decisions_in,
    first_retrieval,
    room_decisions,
    sniff_document,
)
from rooms.casework.delivery import DecisionDeliveryState
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound, RoomClosed
from rooms.kernel.events import (
    AttachmentScanned,
    DecisionMadeAvailable,
    DecisionRetrieved,
    ItemAdded,
    ProgressChanged,
)
from rooms.kernel.tables import (
    Attachment,
    AuditEvent,
    Decision,
    Message,
    OutboxEvent,
    Participant,
    Room,
)
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")

SUMMARY = "Ihr Antrag auf Wohngeld wird bewilligt: 312 Euro monatlich ab 1. März."
SHA = "ab" * 32


def pdf(name: str = "bescheid.pdf", mime: str = "application/pdf") -> StoredFile:
    return StoredFile(f"rooms/test/{uuid.uuid4()}", name, mime, 2048, SHA)


async def outbox(event_type: str) -> list[dict]:  # type: ignore[type-arg]
    return list(
        await OutboxEvent.select()
        .where(OutboxEvent.type == event_type)
        .order_by(OutboxEvent.id)
        .output(load_json=True)
    )


async def issued() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Erika's room with Sabine's decision; returns room, decision and attachment ids."""
    result = await builders.room(ERIKA)
    decision = await check_issue_decision(SABINE, result.room.id, SUMMARY, pdf())
    [row] = await Decision.select(Decision.attachment).where(Decision.id == decision.id)
    return result.room.id, decision.id, uuid.UUID(str(row["attachment"]))


async def authority_of(room_id: uuid.UUID) -> uuid.UUID:
    row = await Room.select(Room.authority).where(Room.id == room_id).first()
    assert row is not None
    return uuid.UUID(str(row["authority"]))


async def test_a_caseworker_issues_a_decision_into_the_timeline() -> None:
    result = await builders.room(ERIKA)
    with committed_facts() as heard:
        issued_decision = await check_issue_decision(
            SABINE, result.room.id, f"  {SUMMARY}\r\n", pdf()
        )
    decision_id = issued_decision.id
    seq = result.room.last_seq + 1
    assert issued_decision.seq == seq
    room_id, authority_id = result.room.id, result.room.authority_id
    assert heard == [
        ItemAdded(room_id, authority_id, seq=seq, kind="decision", side="authority", files=1),
        ProgressChanged(room_id, authority_id, progress="decided"),
    ]
    assert heard[0].wakes_scanner  # the document waits for its scan
    [item] = await Message.select().where((Message.room == result.room.id) & (Message.seq == seq))
    assert (item["kind"], item["side"], item["body"]) == ("decision", "authority", SUMMARY)
    assert item["author_name"] == SABINE.name
    [decision] = await decisions_in(result.room.id)
    assert decision.id == decision_id and decision.source == "room" and decision.seq == seq
    assert decision.document.scan_state == "pending" and decision.document.sha256 == SHA
    assert decision.made_available_at is None and decision.first_retrieved_at is None
    assert decision.state(datetime.now(UTC)) == DecisionDeliveryState.scanning
    room = await Room.select(Room.progress).where(Room.id == result.room.id).first()
    assert room is not None and room["progress"] == "decided"
    assert [e["data"] for e in await outbox("room.status_changed")] == [{"progress": "decided"}]
    assert await outbox("decision.made_available") == []  # not before the scan
    assert await AuditEvent.count().where(AuditEvent.action == "decision_issued") == 1


async def test_the_case_store_issues_a_decision_under_the_authoritys_name() -> None:
    result = await builders.room(ERIKA)
    client, _ = await builders.client()
    with committed_facts() as heard:
        issued_decision = await check_issue_decision(client, result.room.id, SUMMARY, pdf())
    [decision] = await room_decisions(client, result.room.id)
    assert decision.id == issued_decision.id and decision.source == "api"
    assert decision.seq == issued_decision.seq
    item = await Message.select().where(Message.id == decision.message_id).first()
    assert item is not None and item["author_name"] == client.authority_name
    assert item["author"] is None
    assert [type(f) for f in heard] == [ItemAdded, ProgressChanged]
    assert heard[0] == ItemAdded(
        result.room.id,
        result.room.authority_id,
        seq=issued_decision.seq,
        kind="decision",
        side="authority",
        files=1,
    )
    # The applicant sees the same decision through the same gate.
    assert [d.id for d in await room_decisions(ERIKA, result.room.id)] == [decision.id]
    with pytest.raises(NotFound):
        await room_decisions(JONAS, result.room.id)


async def test_only_the_authority_of_an_open_room_issues_decisions() -> None:
    """The applicant gets ``NotFound`` like an outsider (formerly ``NotAllowed``):
    nothing tells the applicant side that the authority's actions exist."""
    result = await builders.room(ERIKA)
    closed = await builders.room(ERIKA, closed=True)
    kreis, _ = await builders.client("demo-kreis")
    stadt, _ = await builders.client("demo-stadt")
    with committed_facts() as heard:
        for outsider in (ERIKA, OTTO, JONAS):
            with pytest.raises(NotFound):
                await check_issue_decision(outsider, result.room.id, SUMMARY, pdf())
        with pytest.raises(NotFound):
            await check_issue_decision(kreis, result.room.id, SUMMARY, pdf())
        with pytest.raises(NotFound):  # the side before the closed room
            await check_issue_decision(ERIKA, closed.room.id, SUMMARY, pdf())
        with pytest.raises(RoomClosed):
            await check_issue_decision(SABINE, closed.room.id, SUMMARY, pdf())
        with pytest.raises(RoomClosed):
            await check_issue_decision(stadt, closed.room.id, SUMMARY, pdf())
    assert heard == []
    assert await Decision.count() == 0 and await Attachment.count() == 0
    assert await Message.count().where(Message.kind == "decision") == 0


async def test_a_document_that_is_not_a_pdf_is_refused_saying_what_it_is(tmp_path: Path) -> None:
    html = tmp_path / "bescheid.pdf"
    html.write_bytes(b"<!doctype html><script>alert(1)</script>")
    with pytest.raises(Invalid) as refused:
        sniff_document(html, name="bescheid.pdf", claimed_type="application/pdf")
    assert refused.value.errors == {"document": "not_pdf:html"}
    text = tmp_path / "bescheid.txt"
    text.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(Invalid) as mismatch:
        sniff_document(text, name="bescheid.txt", claimed_type=None)
    assert mismatch.value.errors == {"document": "type_mismatch:pdf"}
    assert sniff_document(text, name="bescheid", claimed_type=None).kind == "pdf"

    result = await builders.room(ERIKA)
    with committed_facts() as heard:
        with pytest.raises(Invalid) as png:
            await check_issue_decision(SABINE, result.room.id, SUMMARY, pdf("a.png", "image/png"))
        assert png.value.errors == {"document": "not_pdf:image/png"}
        for summary, code in (("   ", "empty"), ("x" * 2001, "too_long")):
            with pytest.raises(Invalid) as bad:
                await check_issue_decision(SABINE, result.room.id, summary, pdf())
            assert bad.value.errors == {"summary": code}
    assert heard == []
    assert await Decision.count() == 0


async def test_a_clean_verdict_makes_it_available_with_its_event() -> None:
    room_id, decision_id, attachment_id = await issued()
    with committed_facts() as heard:
        assert await do_record_verdict(attachment_id, clean=True) is True
    [decision] = await decisions_in(room_id)
    assert decision.made_available_at is not None
    authority_id = await authority_of(room_id)
    assert heard == [
        AttachmentScanned(
            room_id,
            authority_id,
            seq=decision.seq,
            attachment_id=attachment_id,
            sha256=SHA,
            size=2048,
            outcome="clean",
        ),
        DecisionMadeAvailable(
            room_id,
            authority_id,
            decision_id=decision_id,
            attachment_id=attachment_id,
            sha256=SHA,
            made_available_at=decision.made_available_at.isoformat(),
        ),
    ]
    assert decision.made_available_at is not None
    assert decision.retrieval_deadline is not None
    assert timedelta(days=10) < decision.retrieval_deadline - decision.made_available_at
    assert decision.retrieval_deadline - decision.made_available_at <= timedelta(days=11)
    [event] = await outbox("decision.made_available")
    assert event["data"] == {
        "decision_id": str(decision_id),
        "attachment_id": str(attachment_id),
        "sha256": SHA,
        "made_available_at": decision.made_available_at.isoformat(),
    }
    assert str(event["room"]) == str(room_id)
    # A second verdict (another worker) changes nothing.
    with committed_facts() as heard:
        assert await do_record_verdict(attachment_id, clean=True) is False
    assert heard == []
    assert len(await outbox("decision.made_available")) == 1


async def test_made_available_and_its_event_roll_back_with_the_verdict() -> None:
    room_id, _, attachment_id = await issued()
    with committed_facts() as heard, pytest.raises(RuntimeError):
        async with write_transaction():
            assert await do_record_verdict(attachment_id, clean=True) is True
            raise RuntimeError("the verdict's transaction fails")
    assert heard == []
    [decision] = await decisions_in(room_id)
    assert decision.document.scan_state == "pending" and decision.made_available_at is None
    assert await outbox("decision.made_available") == []
    assert await outbox("attachment.scanned") == []


async def test_an_infected_document_never_becomes_available() -> None:
    room_id, _, attachment_id = await issued()
    with committed_facts() as heard:
        infected = await do_record_verdict(
            attachment_id, clean=False, signature="Eicar-Test-Signature"
        )
        assert infected is True
        # ignored: already decided
        assert await do_record_verdict(attachment_id, clean=True) is False
    [scanned] = heard
    assert isinstance(scanned, AttachmentScanned) and scanned.outcome == "infected"
    [decision] = await decisions_in(room_id)
    assert decision.document.scan_state == "infected" and decision.made_available_at is None
    assert decision.state(datetime.now(UTC)) == DecisionDeliveryState.blocked
    assert await outbox("decision.made_available") == []
    assert await first_retrieval(ERIKA, decision.document) is None


async def test_the_first_retrieval_is_recorded_once_with_its_hash() -> None:
    room_id, decision_id, attachment_id = await issued()
    await do_record_verdict(attachment_id, clean=True)
    [decision] = await decisions_in(room_id)
    assert await first_retrieval(SABINE, decision.document) is None  # caseworkers never count
    retrieval = await first_retrieval(ERIKA, decision.document)
    assert retrieval is not None
    with committed_facts() as heard:
        assert await check_record_retrieval(ERIKA, retrieval, SHA) is True

    [after] = await decisions_in(room_id)
    assert after.first_retrieved_at is not None
    assert heard == [
        DecisionRetrieved(
            room_id,
            await authority_of(room_id),
            seq=decision.seq,
            decision_id=decision_id,
            retrieved_at=after.first_retrieved_at.isoformat(),
            sha256=SHA,
        )
    ]
    erika = await Participant.select(Participant.id).where(
        (Participant.room == room_id) & (Participant.role == "applicant")
    )
    assert after.first_retrieved_at is not None and after.first_retrieved_sha256 == SHA
    assert after.first_retrieved_by_name == ERIKA.name
    assert after.first_retrieved_by_role == "applicant"
    row = await Decision.select(Decision.first_retrieved_by).where(Decision.id == decision_id)
    assert str(row[0]["first_retrieved_by"]) == str(erika[0]["id"])
    [event] = await outbox("decision.retrieved")
    assert event["data"] == {
        "decision_id": str(decision_id),
        "retrieved_at": after.first_retrieved_at.isoformat(),
        "sha256": SHA,
    }
    audit = await AuditEvent.select().where(AuditEvent.action == "decision_retrieved")
    assert [a["outcome"] for a in audit] == ["ok"]

    # The second download is no first retrieval; a late recorder changes nothing.
    assert await first_retrieval(ERIKA, after.document) is None
    with committed_facts() as heard:
        assert await check_record_retrieval(ERIKA, retrieval, "cd" * 32) is False
    assert heard == []
    [still] = await decisions_in(room_id)
    assert still.first_retrieved_at == after.first_retrieved_at
    assert still.first_retrieved_sha256 == SHA
    assert len(await outbox("decision.retrieved")) == 1


async def test_concurrent_first_downloads_record_once() -> None:
    room_id, _, attachment_id = await issued()
    await do_record_verdict(attachment_id, clean=True)
    [decision] = await decisions_in(room_id)
    tickets = [await first_retrieval(ERIKA, decision.document) for _ in range(4)]
    assert all(t is not None for t in tickets)
    with committed_facts() as heard:
        results = await asyncio.gather(
            *[check_record_retrieval(ERIKA, t, SHA) for t in tickets if t is not None]
        )
    assert sorted(results) == [False, False, False, True]
    assert [type(f) for f in heard] == [DecisionRetrieved]
    assert len(await outbox("decision.retrieved")) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "decision_retrieved") == 1


async def test_a_hash_that_differs_from_the_stored_one_is_recorded_and_flagged() -> None:
    room_id, _, attachment_id = await issued()
    await do_record_verdict(attachment_id, clean=True)
    [decision] = await decisions_in(room_id)
    retrieval = await first_retrieval(ERIKA, decision.document)
    assert retrieval is not None
    await check_record_retrieval(ERIKA, retrieval, "ee" * 32)
    [after] = await decisions_in(room_id)
    assert after.first_retrieved_sha256 == "ee" * 32  # what was delivered, not what was hoped
    audit = await AuditEvent.select().where(AuditEvent.action == "decision_retrieved")
    assert [a["outcome"] for a in audit] == ["hash_mismatch"]


async def test_the_ten_days_are_calendar_days_across_the_change_to_summer_time() -> None:
    """Made available on 20 March, 15:00 (CET): the tenth day is 30 March (CEST), which
    ends at 22:00 UTC; 240 hours would have ended at 14:00 UTC the same day."""
    room_id, _, _ = await issued()
    base = (await decisions_in(room_id))[0]
    clean = replace(base.document, scan_state="clean")
    available = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
    decision = replace(base, made_available_at=available, document=clean)
    assert decision.retrieval_last_day == date(2026, 3, 30)
    assert decision.retrieval_deadline == datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
    after_240_hours = available + timedelta(hours=240, minutes=1)
    assert decision.state(after_240_hours) == DecisionDeliveryState.awaiting
    at_the_end = datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
    assert decision.state(at_the_end) == DecisionDeliveryState.not_retrieved


async def test_the_ten_day_window_of_section_41_2a() -> None:
    room_id, _, attachment_id = await issued()
    base = (await decisions_in(room_id))[0]
    assert base.state(datetime.now(UTC)) == DecisionDeliveryState.scanning
    available = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 10:30 in Germany
    clean = replace(base.document, scan_state="clean")
    decision = replace(base, made_available_at=available, document=clean)
    # Calendar days (§31 VwVfG, §§187, 188 BGB): the 2nd does not count; the tenth day
    # is the 12th, which ends at midnight German time (23:00 UTC in winter).
    assert decision.retrieval_last_day == date(2026, 3, 12)
    end = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)
    assert decision.retrieval_deadline == end
    assert decision.state(available + timedelta(days=9)) == DecisionDeliveryState.awaiting
    assert decision.state(available + timedelta(days=10)) == DecisionDeliveryState.awaiting
    assert decision.state(end - timedelta(seconds=1)) == DecisionDeliveryState.awaiting
    late = end
    assert decision.state(late) == DecisionDeliveryState.not_retrieved
    assert decision.announced_on is None
    just_in_time = replace(decision, first_retrieved_at=end - timedelta(microseconds=1))
    assert just_in_time.state(late) == DecisionDeliveryState.retrieved
    assert just_in_time.announced_on == date(2026, 3, 13)

    # Retrieved on the 5th at 23:30 UTC, which is already the 6th in Germany.
    retrieved = replace(decision, first_retrieved_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC))
    assert retrieved.state(late) == DecisionDeliveryState.retrieved
    assert retrieved.announced_on == date(2026, 3, 7)
    too_late = replace(decision, first_retrieved_at=late)
    assert too_late.state(late) == DecisionDeliveryState.retrieved_late
    assert too_late.announced_on is None

    # The real clock's path: a decision made available eleven days ago, never retrieved.
    await Decision.update(
        {Decision.made_available_at: datetime.now(UTC) - timedelta(days=11)}
    ).where(Decision.attachment == attachment_id)
    await Attachment.update({Attachment.scan_state: "clean"}).where(Attachment.id == attachment_id)
    [stale] = await decisions_in(room_id)
    assert stale.state(datetime.now(UTC)) == DecisionDeliveryState.not_retrieved
