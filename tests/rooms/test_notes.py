"""Internal notes in the domain: staff of the room's authority only, never in the timeline."""

from __future__ import annotations

import pytest

from rooms.casework.notes import MAX_NOTE_LENGTH, NoteView, check_add_note, room_notes
from rooms.casework.timeline import timeline
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import AuditEvent, InternalNote, Message
from rooms.outbound.outbox import feed
from tests import builders
from tests.cast import ANNA, ERIKA, JONAS, MAX, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")

SECRET = "Interner Vermerk Kuckucksei-8812"


async def notes_for(actor: Actor, room_id) -> list[NoteView]:  # type: ignore[no-untyped-def]
    """How the web layer reads notes: the gate with ``staff_only``, then the room's notes."""
    access = await access_room(actor, room_id, staff_only=True)
    return await room_notes(access.room.id)


async def test_a_caseworker_adds_and_reads_notes_that_stay_out_of_the_timeline() -> None:
    room = (await builders.room(ERIKA)).room
    messages_before = await Message.count()
    with committed_facts() as heard:
        await check_add_note(SABINE, room.id, f"  {SECRET}\r\nZweite Zeile ")
    assert heard == []  # no live nudge, no outbox event: nobody outside the staff hears of it
    [note] = await notes_for(SABINE, room.id)
    assert (note.kind, note.body, note.author_name) == (
        "note",
        f"{SECRET}\nZweite Zeile",
        "Sabine Sachbearbeiterin",
    )
    assert await Message.count() == messages_before
    for who in (ERIKA, SABINE):
        items = await timeline(await access_room(who, room.id))
        assert all(SECRET not in item.body for item in items)
    events = await feed(room.authority_id)
    assert all(SECRET not in str(e.data) for e in events)
    audit = await AuditEvent.select().where(AuditEvent.action == "internal_note_added")
    assert len(audit) == 1 and SECRET not in str(audit)


@pytest.mark.parametrize("who", [ERIKA, JONAS, MAX, OTTO, ANNA])
async def test_everyone_else_gets_not_found_for_reading_and_writing(who) -> None:  # type: ignore[no-untyped-def]
    await builders.authority("demo-kreis", "Landkreis Demo")
    room = (await builders.room(ERIKA)).room.id
    await check_add_note(SABINE, room, SECRET)
    with pytest.raises(NotFound):
        await notes_for(who, room)  # what reading the notes passes first
    with pytest.raises(NotFound):
        await check_add_note(who, room, "Eindringling")
    assert await InternalNote.count() == 1


async def test_empty_and_oversized_notes_are_refused() -> None:
    room = (await builders.room(ERIKA)).room.id
    for body, error in (("   ", "empty"), ("x" * (MAX_NOTE_LENGTH + 1), "too_long")):
        with pytest.raises(Invalid) as refused:
            await check_add_note(SABINE, room, body)
        assert refused.value.errors == {"note": error}
    assert await InternalNote.count() == 0


@pytest.mark.parametrize("who", [ERIKA, JONAS, MAX, OTTO])
async def test_a_closed_room_answers_the_applicant_side_with_not_found_too(who) -> None:  # type: ignore[no-untyped-def]
    """Not ``RoomClosed``: that would tell the applicant side that staff-only things exist."""
    from rooms.casework.assignment import check_assign
    from rooms.casework.lifecycle import check_close_room, check_set_progress

    await builders.authority("demo-kreis", "Landkreis Demo")
    room = (await builders.room(ERIKA)).room.id
    await check_close_room(SABINE, room)
    with pytest.raises(NotFound):
        await check_add_note(who, room, "Eindringling")
    with pytest.raises(NotFound):
        await check_assign(who, room, assignee="")
    with pytest.raises(NotFound):
        await check_set_progress(who, room, "waiting")
    with pytest.raises(NotFound):
        await check_close_room(who, room)
