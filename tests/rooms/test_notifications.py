"""The notification planner: who is told of what, on which channel, and only once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from rooms.casework.posting import check_post_message
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid
from rooms.kernel.tables import Notification, Participant, Room
from rooms.outbound.notify.policy import Policy, configure
from rooms.outbound.notify.preferences import check_update_preferences, get_preferences
from rooms.outbound.notify.queue import do_mark_undeliverable
from rooms.outbound.notify.warnings import notification_warnings
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, SABINE

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture
def postboxes() -> Iterator[None]:
    previous = configure(Policy(postbox_channels=("bundid_postbox",)))
    yield
    configure(previous)


async def new_room(email: str = "erika@example.org", **kwargs: Any) -> UUID:
    await builders.authority()
    result = await builders.room(ERIKA, message=None, **kwargs)
    await Participant.update({Participant.email: email}).where(Participant.room == result.room.id)
    return result.room.id


async def add_representative(room_id: UUID, subject: str, *, revoked: bool = False) -> None:
    await Participant.insert(
        Participant(
            room=room_id,
            role="representative",
            kind="person",
            subject=subject,
            name=f"Vertretung {subject}",
            email=f"{subject}@example.org",
            revoked_at=datetime.now(UTC) if revoked else None,
        )
    )


async def rows(**where: Any) -> list[dict[str, Any]]:
    query = Notification.select().order_by(Notification.dedupe_key)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    result: list[dict[str, Any]] = await query
    return result


async def test_an_authority_message_plans_one_mail_per_applicant_side_person() -> None:
    room_id = await new_room()
    await add_representative(room_id, "rep-active")
    await add_representative(room_id, "rep-removed", revoked=True)
    await check_post_message(SABINE, room_id, "Frage")
    planned = await rows(room=room_id)
    assert sorted((r["recipient_subject"], r["address"], r["state"]) for r in planned) == [
        (ERIKA.applicant_subject, "erika@example.org", "pending"),
        ("rep-active", "rep-active@example.org", "pending"),
    ]
    assert {r["reason"] for r in planned} == {"reply"}
    assert {r["channel"] for r in planned} == {"email"}
    for r in planned:
        event_id = r["dedupe_key"].split(":")[0]
        UUID(event_id)
        assert r["dedupe_key"] == f"{event_id}:citizen:{r['recipient_subject']}:email"


async def test_without_an_address_or_with_e_mail_off_the_row_says_why() -> None:
    room_id = await new_room(email="")
    await check_post_message(SABINE, room_id, "Frage")
    [row] = await rows(room=room_id)
    assert (row["state"], row["last_error"]) == ("skipped", "no_address")

    await check_update_preferences(
        ERIKA, email="erika@example.org", email_enabled=False, language="de"
    )
    await check_post_message(SABINE, room_id, "Noch eine Frage")
    states = sorted((r["state"], r["last_error"]) for r in await rows(room=room_id))
    assert states == [("skipped", "email_disabled"), ("skipped", "no_address")]


async def test_applicant_messages_notify_no_applicant_and_plan_one_digest_per_window() -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    for n in range(3):
        await check_post_message(ERIKA, room_id, f"Antwort {n}")
    digests = await rows(reason="digest")
    assert len(digests) == 1
    [digest] = digests
    assert digest["recipient_subject"] == SABINE.subject
    assert digest["recipient_realm"] == "staff"
    assert digest["address"] == SABINE.email
    assert digest["room"] is None
    assert digest["next_attempt_at"] > datetime.now(UTC)  # sent when the window closes
    assert len(await rows(room=room_id, recipient_subject=ERIKA.applicant_subject)) == 1


async def test_the_assignee_alone_gets_the_digest_when_the_room_is_assigned() -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    await Room.update(
        {Room.assignee_subject: "someone-else", Room.assignee_name: "Sam Anders"}
    ).where(Room.id == room_id)
    await check_post_message(ERIKA, room_id, "Antwort")
    [digest] = await rows(reason="digest")
    assert digest["recipient_subject"] == "someone-else"
    assert (digest["state"], digest["last_error"]) == ("skipped", "no_address")


async def test_the_deployments_digest_default_applies_to_staff_who_have_not_chosen() -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    previous = configure(Policy(digest_default="off"))
    try:
        await check_post_message(ERIKA, room_id, "Antwort")
    finally:
        configure(previous)
    assert await rows(reason="digest") == []
    await check_post_message(ERIKA, room_id, "Noch eine Antwort")  # the default: daily
    [digest] = await rows(reason="digest")
    assert ":daily:" in digest["dedupe_key"]


async def test_postbox_rows_only_for_configured_channels_and_citizens_who_want_them(
    postboxes: None,
) -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    assert sorted(r["channel"] for r in await rows(room=room_id)) == ["bundid_postbox", "email"]

    await check_update_preferences(ERIKA, email="", email_enabled=True, language="de")
    from rooms.kernel.tables import ContactPreference

    await ContactPreference.update({ContactPreference.postbox_enabled: False}).where(
        ContactPreference.subject == ERIKA.applicant_subject
    )
    await check_post_message(SABINE, room_id, "Noch eine")
    assert sorted(r["channel"] for r in await rows(room=room_id)) == [
        "bundid_postbox",
        "email",
        "email",
    ]


async def test_no_postbox_rows_without_a_configured_postbox() -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    assert [r["channel"] for r in await rows(room=room_id)] == ["email"]


async def test_preferences_are_validated() -> None:
    with pytest.raises(Invalid) as bad:
        await check_update_preferences(
            ERIKA, email="kein-at-zeichen", email_enabled=True, language="fr", digest="weekly"
        )
    assert set(bad.value.errors) == {"email", "language", "digest"}
    assert not (await get_preferences(ERIKA)).stored


async def test_preferences_are_per_person_and_shared_by_an_organisation() -> None:
    await check_update_preferences(
        ERIKA, email=" erika@example.org ", email_enabled=True, language="en"
    )
    mine, other = await get_preferences(ERIKA), await get_preferences(JONAS)
    assert (mine.email, mine.language, mine.realm) == ("erika@example.org", "en", "citizen")
    assert (other.stored, other.language) == (False, "de")

    await check_update_preferences(
        MAX, email="post@beispiel.example", email_enabled=True, language="de"
    )
    prefs = await get_preferences(MAX)
    assert (prefs.realm, prefs.subject) == ("business", MAX.applicant_subject)


async def test_undeliverable_notices_are_shown_to_caseworkers_only() -> None:
    room_id = await new_room()
    await check_post_message(SABINE, room_id, "Frage")
    [row] = await rows(room=room_id)
    await do_mark_undeliverable(row["id"], "550 5.1.1 mailbox unavailable")

    staff_view = await notification_warnings(await access_room(SABINE, room_id))
    assert [(w.recipient_name, w.address, w.error) for w in staff_view] == [
        (ERIKA.name, "erika@example.org", "550 5.1.1 mailbox unavailable")
    ]
    assert await notification_warnings(await access_room(ERIKA, room_id)) == []
