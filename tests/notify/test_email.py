"""E-mail notifications end to end: events -> planned notices -> a real SMTP server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.notify.worker import BERLIN
from rooms.casework.posting import check_post_message
from rooms.casework.requests import NewItem, check_create_request
from rooms.kernel.db import write_transaction
from rooms.kernel.events import DecisionMadeAvailable, ItemAdded
from rooms.kernel.tables import Room
from rooms.outbound.notify.preferences import check_update_preferences
from rooms.outbound.outbox import do_record
from tests.cast import ERIKA, SABINE
from tests.notify.conftest import (
    PORTAL,
    REFUSED,
    Clock,
    SmtpServer,
    html,
    mail_worker,
    notifications,
    plain,
    room_for,
)

pytestmark = pytest.mark.usefixtures("database")

SECRET = "Ihre Steuer-ID 12 345 678 901 fehlt noch"


async def case_ref_of(room_id: object) -> str:
    row = await Room.select(Room.case_ref).where(Room.id == room_id).first()
    assert row is not None
    return str(row["case_ref"])


async def test_an_authority_message_sends_one_content_free_mail_in_german(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    await mail_worker(smtp.port, clock).run_once()

    [mail] = smtp.messages
    case_ref = await case_ref_of(room_id)
    assert mail["To"] == "erika@example.org"
    assert mail["From"].addresses[0].display_name == "Stadt Musterstadt"
    assert mail["From"].addresses[0].addr_spec == "antragsraum@portal.example"
    assert mail["Message-ID"]
    assert mail.get_content_type() == "multipart/alternative"
    assert case_ref in mail["Subject"]
    assert "Neue Nachricht" in mail["Subject"]
    text, page = plain(mail), html(mail)
    for body in (text, page):
        assert "Stadt Musterstadt" in body
        assert case_ref in body
        assert f"{PORTAL}/rooms/{room_id}" in body
        assert "Steuer-ID" not in body and SECRET not in body
        assert "Antrag auf Wohngeld" not in body + mail["Subject"]  # nor the room's title
    assert '<html lang="de">' in page
    assert "<h1" in page
    assert f"Antragsraum zum Aktenzeichen {case_ref} öffnen</a>" in page
    [row] = await notifications(room=room_id, channel="email")
    assert row["state"] == "sent" and row["reason"] == "reply" and row["attempts"] == 1


async def test_english_by_preference(smtp: SmtpServer, clock: Clock) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_update_preferences(ERIKA, email="", email_enabled=True, language="en")
    await check_post_message(SABINE, room_id, SECRET)
    await mail_worker(smtp.port, clock).run_once()

    [mail] = smtp.messages
    assert mail["Subject"].startswith("New message about your application")
    assert "Your authority has sent you a new message" in plain(mail)
    assert '<html lang="en">' in html(mail)


async def test_the_preferred_address_wins_over_the_intake_address(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "old@example.org")
    await check_update_preferences(
        ERIKA, email="erika.neu@example.org", email_enabled=True, language="de"
    )
    await check_post_message(SABINE, room_id, SECRET)
    await mail_worker(smtp.port, clock).run_once()
    assert [m["To"] for m in smtp.messages] == ["erika.neu@example.org"]


async def test_a_document_request_mail_names_the_deadline(smtp: SmtpServer, clock: Clock) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    deadline = datetime.now(UTC).date() + timedelta(days=10)
    await check_create_request(SABINE, room_id, SECRET, [NewItem("Gehaltsnachweise")], deadline)
    await mail_worker(smtp.port, clock).run_once()

    [mail] = smtp.messages
    assert "Unterlagen angefordert" in mail["Subject"]
    assert f"Frist: {deadline:%d.%m.%Y}" in plain(mail)
    assert f"{deadline:%d.%m.%Y}" in html(mail)
    assert "Gehaltsnachweise" not in plain(mail) and SECRET not in plain(mail)
    [row] = await notifications(room=room_id)
    assert row["reason"] == "documents" and row["deadline"] == deadline


async def test_a_decision_is_announced_once_when_it_can_be_retrieved(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    row = await Room.select(Room.authority).where(Room.id == room_id).first()
    assert row is not None
    authority_id = uuid.UUID(str(row["authority"]))
    async with write_transaction():
        # the decision's own timeline item is not announced ...
        await do_record(
            ItemAdded(room_id, authority_id, seq=1, kind="decision", side="authority", files=1)
        )
    await mail_worker(smtp.port, clock).run_once()
    assert smtp.messages == []
    async with write_transaction():
        # ... its being made available is
        await do_record(
            DecisionMadeAvailable(
                room_id,
                authority_id,
                decision_id=uuid.uuid4(),
                attachment_id=uuid.uuid4(),
                sha256="0" * 64,
                made_available_at=datetime.now(UTC).isoformat(),
            )
        )
    await mail_worker(smtp.port, clock).run_once()
    [mail] = smtp.messages
    assert "Bescheid" in mail["Subject"]
    assert "Ein Bescheid liegt für Sie im Antragsraum zum Abruf bereit." in plain(mail)


async def test_no_mail_when_the_applicant_turned_e_mail_off(smtp: SmtpServer, clock: Clock) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_update_preferences(ERIKA, email="", email_enabled=False, language="de")
    await check_post_message(SABINE, room_id, SECRET)
    await mail_worker(smtp.port, clock).run_once()
    assert smtp.messages == []
    [row] = await notifications(room=room_id)
    assert row["state"] == "skipped" and row["last_error"] == "email_disabled"


async def test_turning_e_mail_off_after_planning_still_stops_the_mail(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    await check_update_preferences(ERIKA, email="", email_enabled=False, language="de")
    await mail_worker(smtp.port, clock).run_once()
    assert smtp.messages == []


async def test_the_same_event_is_never_mailed_twice(smtp: SmtpServer, clock: Clock) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    first, second = mail_worker(smtp.port, clock), mail_worker(smtp.port, clock)
    await first.run_once()
    await second.run_once()
    clock.advance(days=2)
    await first.run_once()
    assert len(smtp.messages) == 1

    # planning the same event again adds nothing
    [row] = await notifications(room=room_id)
    event_id = str(row["dedupe_key"]).split(":")[0]
    from uuid import UUID

    from rooms.outbound.notify.planning import do_plan_notifications

    async with write_transaction():
        await do_plan_notifications(
            UUID(event_id),
            event_type="timeline.item_added",
            authority_id=row["authority"],
            room_id=room_id,
            data={"seq": 1, "kind": "message", "side": "authority"},
        )
    await first.run_once()
    assert len(smtp.messages) == 1
    assert len(await notifications(room=room_id)) == 1


async def test_a_down_mail_server_is_retried_on_schedule_then_delivered(
    smtp_down: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    worker = mail_worker(smtp_down.port, clock, retry_delays_seconds=[60, 600])

    await worker.run_once()  # connection refused
    [row] = await notifications(room=room_id)
    assert row["state"] == "pending" and row["attempts"] == 1 and row["last_error"]
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=60)

    smtp_down.start()
    clock.advance(seconds=30)
    await worker.run_once()  # not due yet
    assert smtp_down.messages == []
    clock.advance(seconds=31)
    await worker.run_once()
    assert len(smtp_down.messages) == 1
    [row] = await notifications(room=room_id)
    assert row["state"] == "sent" and row["attempts"] == 2


async def test_retries_end_as_failed_after_the_last_delay(
    smtp_down: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    worker = mail_worker(smtp_down.port, clock, retry_delays_seconds=[10, 20])
    for _ in range(5):
        await worker.run_once()
        clock.advance(seconds=21)
    [row] = await notifications(room=room_id)
    assert row["state"] == "failed" and row["attempts"] == 3


async def test_a_refused_recipient_is_undeliverable_and_not_retried(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, REFUSED)
    await check_post_message(SABINE, room_id, SECRET)
    worker = mail_worker(smtp.port, clock)
    await worker.run_once()
    clock.advance(days=3)
    await worker.run_once()
    assert smtp.messages == []
    [row] = await notifications(room=room_id)
    assert row["state"] == "undeliverable" and row["attempts"] == 1
    assert "550" in row["last_error"] and "mailbox unavailable" in row["last_error"]


async def test_applicant_replies_make_one_digest_per_window_for_the_caseworker(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, "Bitte melden Sie sich.")  # Sabine joins the room
    await check_update_preferences(
        SABINE, email="", email_enabled=True, language="de", digest="hourly"
    )
    for n in range(4):
        await check_post_message(ERIKA, room_id, f"{SECRET} ({n})")
    worker = mail_worker(smtp.port, clock)
    await worker.run_once()
    assert [m["To"] for m in smtp.messages] == ["erika@example.org"]  # Sabine's message only

    clock.advance(hours=1, minutes=1)  # the window has closed
    await worker.run_once()
    await worker.run_once()
    digests = smtp.to("sabine@demo-stadt.example")
    assert len(digests) == 1
    [digest] = digests
    case_ref = await case_ref_of(room_id)
    assert case_ref in plain(digest) and "4 neue Einträge" in plain(digest)
    assert f"{PORTAL}/rooms/{room_id}" in html(digest)
    assert "Steuer-ID" not in plain(digest) + html(digest)
    assert "Antrag auf Wohngeld" not in plain(digest) + html(digest)  # nor the room's title
    assert len(await notifications(reason="digest")) == 1


async def test_no_digest_for_a_caseworker_who_turned_it_off(smtp: SmtpServer, clock: Clock) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, "Bitte melden Sie sich.")
    await check_update_preferences(
        SABINE, email="", email_enabled=True, language="de", digest="off"
    )
    await check_post_message(ERIKA, room_id, SECRET)
    clock.advance(days=2)
    await mail_worker(smtp.port, clock).run_once()
    assert smtp.to("sabine@demo-stadt.example") == []
    assert await notifications(reason="digest") == []


async def test_reminders_before_the_deadline_and_overdue_after_each_once(
    smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    start = clock.now
    deadline = start.astimezone(BERLIN).date() + timedelta(days=5)  # the worker's "today"
    await check_create_request(SABINE, room_id, SECRET, [NewItem("Mietvertrag")], deadline)

    def subjects() -> list[str]:
        return [str(m["Subject"]).split(" zu ")[0] for m in smtp.messages]

    async def day(n: int) -> None:
        clock.now = start + timedelta(days=n)
        for _ in range(2):  # a fresh worker each time: only the dedupe keys prevent repeats
            await mail_worker(smtp.port, clock, reminder_days=[3, 1]).run_once()

    await day(0)
    assert subjects() == ["Unterlagen angefordert"]
    await day(1)
    assert subjects() == ["Unterlagen angefordert"]
    await day(2)  # 3 days left
    await day(3)
    assert subjects() == ["Unterlagen angefordert", "Erinnerung: Frist"]
    assert f"{deadline:%d.%m.%Y}" in plain(smtp.messages[-1])
    await day(4)  # 1 day left
    await day(5)  # the deadline itself: already reminded for "1 day"
    assert subjects() == ["Unterlagen angefordert", "Erinnerung: Frist", "Erinnerung: Frist"]
    await day(6)  # passed
    await day(7)
    assert subjects()[-1] == "Frist abgelaufen" and len(smtp.messages) == 4


async def test_no_reminder_for_a_request_that_was_answered(smtp: SmtpServer, clock: Clock) -> None:
    from rooms.kernel.tables import RequestItem

    room_id = await room_for(ERIKA, "erika@example.org")
    deadline = clock.now.date() + timedelta(days=5)
    await check_create_request(SABINE, room_id, SECRET, [NewItem("Mietvertrag")], deadline)
    await RequestItem.update({RequestItem.state: "accepted"}).where(RequestItem.id.is_not_null())
    clock.advance(days=4)
    await mail_worker(smtp.port, clock).run_once()
    clock.advance(days=3)
    await mail_worker(smtp.port, clock).run_once()
    assert len(smtp.messages) == 1  # the request itself only
