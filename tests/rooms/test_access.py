"""The access matrix: every kind of actor against every room state."""

from __future__ import annotations

import uuid

import pytest

from rooms.kernel.access import access_room, access_room_for_writing
from rooms.kernel.actors import Actor, TrustLevel
from rooms.kernel.errors import NotFound, RoomClosed, TrustLevelTooLow
from rooms.kernel.tables import Participant, Side
from tests import builders
from tests.cast import ADMIN_WITHOUT_CASEWORK, ERIKA, JONAS, MAX, OTTO, SABINE

pytestmark = pytest.mark.usefixtures("database")

# actor -> expected side for Erika's room at demo-stadt, or None for "404"
MATRIX: list[tuple[Actor | None, Side | None]] = [
    (ERIKA, Side.applicant),
    (JONAS, None),  # another citizen
    (MAX, None),  # a business account
    (SABINE, Side.authority),  # caseworker of the room's authority
    (OTTO, None),  # caseworker of another authority
    (ADMIN_WITHOUT_CASEWORK, None),  # staff of the authority without the caseworker role
    (None, None),  # anonymous
]


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize(("actor", "side"), MATRIX, ids=lambda v: getattr(v, "name", str(v)))
async def test_access_matrix(actor: Actor | None, side: Side | None, closed: bool) -> None:
    await builders.authority("demo-kreis", "Kreis Beispiel")
    result = await builders.room(ERIKA, closed=closed)
    if side is None:
        with pytest.raises(NotFound):
            await access_room(actor, result.room.id)
        with pytest.raises(NotFound):
            await access_room_for_writing(actor, result.room.id)
        return
    access = await access_room(actor, result.room.id)
    assert access.side is side
    assert access.room.title == "Antrag auf Wohngeld"
    if closed:
        with pytest.raises(RoomClosed):
            await access_room_for_writing(actor, result.room.id)
    else:
        assert (await access_room_for_writing(actor, result.room.id)).room.id == result.room.id


async def test_missing_and_foreign_rooms_are_indistinguishable() -> None:
    foreign = await builders.room(JONAS)
    for room_id in (uuid.uuid4(), "not-a-uuid", "", foreign.room.id):
        with pytest.raises(NotFound) as excinfo:
            await access_room(ERIKA, room_id)
        assert str(excinfo.value) == ""


async def test_organisation_room_is_open_to_every_employee_of_that_organisation() -> None:
    result = await builders.room(MAX)
    colleague = Actor(
        issuer=MAX.issuer,
        subject="demo-business-kollegin",
        name="Kollegin",
        kind=MAX.kind,
        trust_level=TrustLevel.substantial,
        organisation=MAX.organisation,
    )
    assert (await access_room(colleague, result.room.id)).side is Side.applicant
    other_org = Actor(**{**colleague.__dict__, "organisation": "another-org"})
    with pytest.raises(NotFound):
        await access_room(other_org, result.room.id)


async def test_citizen_with_the_same_subject_as_an_organisation_id_gets_nothing() -> None:
    result = await builders.room(MAX)
    impostor = Actor(
        issuer=ERIKA.issuer,
        subject=MAX.applicant_subject,
        name="X",
        kind=ERIKA.kind,
        trust_level=TrustLevel.high,
    )
    with pytest.raises(NotFound):
        await access_room(impostor, result.room.id)


async def test_trust_level_below_the_rooms_minimum_is_refused_to_the_applicant_only() -> None:
    result = await builders.room(JONAS, min_trust_level=TrustLevel.substantial)
    with pytest.raises(TrustLevelTooLow) as excinfo:
        await access_room(JONAS, result.room.id)
    assert excinfo.value.required == "substantial"
    with pytest.raises(NotFound):  # an outsider still learns nothing
        await access_room(ERIKA, result.room.id)


async def test_revoked_applicant_loses_access() -> None:
    result = await builders.room(ERIKA)
    await Participant.update({Participant.revoked_at: result.room.created_at}).where(
        Participant.room == result.room.id
    )
    with pytest.raises(NotFound):
        await access_room(ERIKA, result.room.id)
