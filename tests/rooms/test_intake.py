"""Intake by a case store: idempotent, validated, tenant-bound."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rooms.casestore.clients import authenticate
from rooms.casestore.intake import check_create_room
from rooms.kernel.errors import Invalid
from rooms.kernel.events import ItemAdded, RoomCreated
from rooms.kernel.tables import ApiClient, Participant, Room
from tests import builders
from tests.cast import ERIKA
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def test_same_case_ref_twice_gives_the_same_room() -> None:
    machine, _ = await builders.client()
    new = builders.new_room(ERIKA, case_ref="VG-2026-000123")
    with committed_facts() as heard:
        first = await check_create_room(machine, new)
    assert heard == [
        RoomCreated(first.room.id, machine.authority_id, case_ref="VG-2026-000123"),
        ItemAdded(first.room.id, machine.authority_id, seq=1, kind="message", side="authority"),
    ]
    with committed_facts() as heard:
        again = await check_create_room(machine, new)
    assert first.created and not again.created
    assert again.room.id == first.room.id
    assert heard == []  # a repeat announces nothing
    assert await Room.count() == 1
    assert await Participant.count() == 1


async def test_same_case_ref_at_another_authority_is_another_room() -> None:
    one, _ = await builders.client("demo-stadt")
    other, _ = await builders.client("demo-kreis")
    new = builders.new_room(ERIKA, case_ref="A-1")
    assert (await check_create_room(one, new)).room.id != (
        await check_create_room(other, new)
    ).room.id


async def test_invalid_intake_names_each_field_and_writes_nothing() -> None:
    machine, _ = await builders.client()
    new = builders.new_room(ERIKA, case_ref="../etc", title=" ", message="")
    new = replace(new, applicant=replace(new.applicant, subject="", name=""))
    with committed_facts() as heard, pytest.raises(Invalid) as excinfo:
        await check_create_room(machine, new)
    assert heard == []
    assert set(excinfo.value.errors) == {
        "case_ref",
        "title",
        "applicant.subject",
        "applicant.name",
        "message.body",
    }
    assert await Room.count() == 0


async def test_tokens_are_stored_hashed_and_authenticate_their_authority() -> None:
    _machine, token = await builders.client()
    stored = await ApiClient.select(ApiClient.token_hash).first()
    assert stored is not None and token not in stored["token_hash"]
    found = await authenticate(token)
    assert found is not None and found.authority_slug == "demo-stadt"
    assert await authenticate(token + "x") is None
    assert await authenticate("Bearer nonsense") is None
