"""A room's progress and closing: by the authority's side only, people and case stores alike."""

from __future__ import annotations

import pytest

from rooms.casework.lifecycle import check_close_room, check_set_progress
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid, NotFound, RoomClosed
from rooms.kernel.events import ProgressChanged, RoomWasClosed
from rooms.kernel.tables import AuditEvent, OutboxEvent
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def outbox(event_type: str) -> list[dict]:  # type: ignore[type-arg]
    return list(
        await OutboxEvent.select()
        .where(OutboxEvent.type == event_type)
        .order_by(OutboxEvent.id)
        .output(load_json=True)
    )


async def test_a_caseworker_sets_the_progress_once_per_change() -> None:
    room = (await builders.room(ERIKA)).room
    with committed_facts() as heard:
        assert await check_set_progress(SABINE, room.id, "in_progress") is True
        assert await check_set_progress(SABINE, room.id, "in_progress") is False  # no change
    assert heard == [ProgressChanged(room.id, room.authority_id, progress="in_progress")]
    assert (await access_room(ERIKA, room.id)).room.applicant_status == "in_progress"
    assert [e["data"] for e in await outbox("room.status_changed")] == [{"progress": "in_progress"}]


async def test_the_case_store_sets_the_progress_and_closes_through_the_same_actions() -> None:
    room = (await builders.room(ERIKA)).room
    machine, _ = await builders.client()
    with committed_facts() as heard:
        assert await check_set_progress(machine, room.id, "waiting") is True
        await check_close_room(machine, room.id)
    record = (await access_room(machine, room.id, case_store=True)).room
    assert record.closed and record.closed_at is not None
    assert [type(f) for f in heard] == [ProgressChanged, RoomWasClosed]
    assert heard[0] == ProgressChanged(room.id, room.authority_id, progress="waiting")
    [closed_event] = await outbox("room.closed")
    assert heard[1] == RoomWasClosed(
        room.id, room.authority_id, closed_at=closed_event["data"]["closed_at"]
    )
    audit = await AuditEvent.select(AuditEvent.actor, AuditEvent.actor_kind).where(
        AuditEvent.action == "room_closed"
    )
    assert [(a["actor"], a["actor_kind"]) for a in audit] == [(machine.audit_name, "machine")]


async def test_closing_announces_once_and_a_closed_room_refuses_changes() -> None:
    room = (await builders.room(ERIKA)).room
    with committed_facts() as heard:
        await check_close_room(SABINE, room.id)
    [closed] = heard
    assert isinstance(closed, RoomWasClosed) and closed.room_id == room.id and closed.closed_at
    with committed_facts() as heard:
        with pytest.raises(RoomClosed):
            await check_close_room(SABINE, room.id)
        with pytest.raises(RoomClosed):
            await check_set_progress(SABINE, room.id, "waiting")
    assert heard == []
    assert len(await outbox("room.closed")) == 1
    assert (await access_room(ERIKA, room.id)).room.applicant_status == "closed"  # still readable


@pytest.mark.parametrize("who", [ERIKA, JONAS, OTTO], ids=["applicant", "citizen", "other"])
async def test_everyone_but_the_authoritys_side_gets_not_found(who) -> None:  # type: ignore[no-untyped-def]
    await builders.authority("demo-kreis", "Landkreis Demo")
    room = (await builders.room(ERIKA)).room
    foreign, _ = await builders.client("demo-kreis")
    with committed_facts() as heard:
        for principal in (who, foreign):
            with pytest.raises(NotFound):
                await check_set_progress(principal, room.id, "waiting")
            with pytest.raises(NotFound):  # invalid input is not judged before the gate
                await check_set_progress(principal, room.id, "nonsense")
            with pytest.raises(NotFound):
                await check_close_room(principal, room.id)
    assert heard == []
    assert (await access_room(SABINE, room.id)).room.applicant_status == "received"


async def test_an_unknown_progress_is_refused_to_the_caseworker() -> None:
    room = (await builders.room(ERIKA)).room
    with committed_facts() as heard, pytest.raises(Invalid) as refused:
        await check_set_progress(SABINE, room.id, "closed")
    assert refused.value.errors == {"progress": "invalid"}
    assert heard == []
