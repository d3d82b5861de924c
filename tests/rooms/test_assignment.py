"""Assigning rooms: to a known caseworker or a team, with a hand-over note; staff only."""

from __future__ import annotations

import pytest

from rooms.casework.assignment import check_assign, known_caseworkers
from rooms.casework.lifecycle import (
    check_close_room,
    check_set_progress,
    do_close_room,
    do_set_progress,
)
from rooms.casework.notes import NoteView, room_notes
from rooms.casework.posting import check_post_message
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound, RoomClosed
from rooms.kernel.events import Assigned, ProgressChanged
from rooms.kernel.tables import AuditEvent, InternalNote, OutboxEvent, Room
from rooms.kernel.vocabulary import RoomProgress
from tests import builders
from tests.cast import ANNA, ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def notes_for(actor: Actor, room_id) -> list[NoteView]:  # type: ignore[no-untyped-def]
    access = await access_room(actor, room_id, staff_only=True)
    return await room_notes(access.room.id)


async def test_a_caseworker_assigns_to_herself_and_a_team_with_a_handover_note() -> None:
    result = await builders.room(ERIKA)
    room = result.room.id
    with committed_facts() as heard:
        await check_assign(
            SABINE,
            room,
            assignee=SABINE.subject,
            team="  Team   Wohngeld ",
            note="Bitte Frist prüfen",
        )
    assert heard == [Assigned(room, result.room.authority_id)]
    record = (await access_room(SABINE, room)).room
    assert (record.assignee_subject, record.assignee_name, record.team) == (
        SABINE.subject,
        "Sabine Sachbearbeiterin",
        "Team Wohngeld",
    )
    [note] = await room_notes(room)
    assert (note.kind, note.body, note.author_name) == (
        "handover",
        "Bitte Frist prüfen",
        "Sabine Sachbearbeiterin",
    )
    audit = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "room_assigned")
    assert "Bitte Frist" not in str(audit)
    # unassigning keeps the team empty when it is cleared too
    await check_assign(SABINE, room, assignee="", team="")
    record = (await access_room(SABINE, room)).room
    assert (record.assignee_subject, record.team) == ("", "")
    assert await InternalNote.count() == 1  # no empty hand-over note


async def test_only_caseworkers_known_to_the_authority_can_be_assigned() -> None:
    await builders.authority("demo-kreis", "Landkreis Demo")
    room = (await builders.room(ERIKA)).room.id
    kreis_room = (await builders.room(JONAS, authority_slug="demo-kreis")).room.id
    await check_post_message(OTTO, kreis_room, "Otto war hier")  # known at demo-kreis only
    with pytest.raises(Invalid) as refused:
        await check_assign(SABINE, room, assignee=OTTO.subject)
    assert refused.value.errors == {"assignee": "unknown"}
    kreis = await known_caseworkers(await _authority(kreis_room))
    assert [c.subject for c in kreis] == [OTTO.subject]
    # once Sabine has worked at demo-stadt, a colleague can assign to her
    other = (await builders.room(JONAS)).room.id
    await check_post_message(SABINE, other, "Hallo")
    await check_assign(SABINE, room, assignee=SABINE.subject)
    assert [c.name for c in await known_caseworkers(await _authority(room))] == [
        "Sabine Sachbearbeiterin"
    ]


async def _authority(room_id):  # type: ignore[no-untyped-def]
    row = await Room.select(Room.authority).where(Room.id == room_id).first()
    return row["authority"]


@pytest.mark.parametrize("who", [ERIKA, JONAS, OTTO, ANNA])
async def test_everyone_but_the_authoritys_caseworkers_gets_not_found(who) -> None:  # type: ignore[no-untyped-def]
    await builders.authority("demo-kreis", "Landkreis Demo")
    room = (await builders.room(ERIKA)).room.id
    with committed_facts() as heard:
        with pytest.raises(NotFound):
            await check_assign(who, room, assignee="", team="Eindringlinge", note="x")
        # invalid input is not judged before the gate: the same 404, not a 422
        with pytest.raises(NotFound):
            await check_assign(who, room, assignee="", team="x" * 101, note="\x00")
    assert heard == []
    assert (await Room.select(Room.team).where(Room.id == room).first())["team"] == ""
    assert await InternalNote.count() == 0


async def test_team_names_are_limited_and_closed_rooms_cannot_be_reassigned() -> None:
    room = (await builders.room(ERIKA)).room.id
    with pytest.raises(Invalid) as refused:
        await check_assign(SABINE, room, assignee="", team="x" * 101)
    assert refused.value.errors == {"team": "too_long"}
    await check_close_room(SABINE, room)
    with pytest.raises(RoomClosed):
        await check_assign(SABINE, room, assignee=SABINE.subject)


async def test_of_two_concurrent_closes_only_one_is_recorded() -> None:
    """Both passed the gate while the room was open (PostgreSQL, READ COMMITTED): the
    second, holding a stale record, is refused and records no second event."""
    room = (await builders.room(ERIKA)).room.id
    stale = await access_room(SABINE, room)
    await check_close_room(SABINE, room)
    with committed_facts() as heard, pytest.raises(RoomClosed):
        async with write_transaction():
            await do_close_room(stale)
    assert heard == []
    assert len(await OutboxEvent.select().where(OutboxEvent.type == "room.closed")) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "room_closed") == 1


async def test_of_two_concurrent_changes_to_the_same_progress_only_one_is_recorded() -> None:
    result = await builders.room(ERIKA)
    room = result.room.id
    stale = await access_room(SABINE, room)
    with committed_facts() as heard:
        assert await check_set_progress(SABINE, room, "waiting") is True
    assert heard == [ProgressChanged(room, result.room.authority_id, progress="waiting")]
    with committed_facts() as heard:
        async with write_transaction():
            assert await do_set_progress(stale, RoomProgress.waiting) is False
    assert heard == []
    changes = await OutboxEvent.select().where(OutboxEvent.type == "room.status_changed")
    assert len(changes) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "room_progress_changed") == 1
