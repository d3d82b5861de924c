"""The access matrix: every kind of actor against every room state."""

from __future__ import annotations

import uuid

import pytest

from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor, TrustLevel
from rooms.kernel.errors import NotFound, RoomClosed, TrustLevelTooLow
from rooms.kernel.tables import Participant
from rooms.kernel.vocabulary import Side
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
            await access_room(actor, result.room.id, writing=True)
        return
    access = await access_room(actor, result.room.id)
    assert access.side is side
    assert access.room.title == "Antrag auf Wohngeld"
    if closed:
        with pytest.raises(RoomClosed):
            await access_room(actor, result.room.id, writing=True)
    else:
        assert (await access_room(actor, result.room.id, writing=True)).room.id == result.room.id


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


# --- the gate's flags ---------------------------------------------------------------------


async def test_staff_only_answers_the_applicant_side_like_an_outsider() -> None:
    result = await builders.room(ERIKA)
    with pytest.raises(NotFound) as excinfo:
        await access_room(ERIKA, result.room.id, staff_only=True)
    assert str(excinfo.value) == ""  # the same bare 404 as for a foreign room
    with pytest.raises(NotFound):
        await access_room(ERIKA, result.room.id, staff_only=True, writing=True)
    assert (await access_room(ERIKA, result.room.id)).side is Side.applicant  # without the flag


async def test_staff_only_lets_the_rooms_caseworker_in() -> None:
    result = await builders.room(ERIKA)
    access = await access_room(SABINE, result.room.id, staff_only=True)
    assert (access.side, access.room.id, access.principal) == (
        Side.authority,
        result.room.id,
        SABINE,
    )
    writing = await access_room(SABINE, result.room.id, staff_only=True, writing=True)
    assert writing.side is Side.authority


async def test_staff_only_still_refuses_other_authorities_staff() -> None:
    await builders.authority("demo-kreis", "Kreis Beispiel")
    result = await builders.room(ERIKA)
    for outsider in (OTTO, ADMIN_WITHOUT_CASEWORK):
        with pytest.raises(NotFound):
            await access_room(outsider, result.room.id, staff_only=True)


async def test_side_applicant_answers_the_authority_side_with_not_found() -> None:
    result = await builders.room(ERIKA)
    machine, _ = await builders.client()
    with pytest.raises(NotFound):
        await access_room(SABINE, result.room.id, side=Side.applicant)
    with pytest.raises(NotFound):
        await access_room(
            machine, result.room.id, side=Side.applicant, writing=True, case_store=True
        )
    access = await access_room(ERIKA, result.room.id, side=Side.applicant, writing=True)
    assert access.side is Side.applicant and access.participant_id is not None


async def test_side_authority_is_the_same_as_staff_only() -> None:
    result = await builders.room(ERIKA)
    with pytest.raises(NotFound):
        await access_room(ERIKA, result.room.id, side=Side.authority)
    assert (await access_room(SABINE, result.room.id, side=Side.authority)).side is Side.authority


async def test_writing_to_a_closed_room_is_refused_to_both_sides() -> None:
    result = await builders.room(ERIKA, closed=True)
    with pytest.raises(RoomClosed):
        await access_room(SABINE, result.room.id, writing=True, staff_only=True)
    with pytest.raises(RoomClosed):
        await access_room(ERIKA, result.room.id, writing=True, side=Side.applicant)
    # reading a closed room is still allowed
    assert (await access_room(SABINE, result.room.id, staff_only=True)).room.closed
    assert (await access_room(ERIKA, result.room.id, side=Side.applicant)).room.closed


@pytest.mark.parametrize("who", [ERIKA, MAX], ids=["applicant", "outsider"])
async def test_the_side_is_checked_before_the_room_is_closed(who: Actor) -> None:
    """An applicant writing to a staff-only thing of a closed room gets ``NotFound``:
    ``RoomClosed`` would tell them that the staff-only thing exists."""
    result = await builders.room(ERIKA, closed=True)
    with pytest.raises(NotFound):
        await access_room(who, result.room.id, writing=True, staff_only=True)
    with pytest.raises(NotFound):
        await access_room(SABINE, result.room.id, writing=True, side=Side.applicant)


async def test_a_case_store_sees_its_own_authoritys_rooms_as_the_authority() -> None:
    result = await builders.room(ERIKA)
    machine, _ = await builders.client()
    access = await access_room(machine, result.room.id, case_store=True)
    assert access.side is Side.authority
    assert access.participant_id is None
    assert access.machine == machine and access.person is None
    assert access.author_name == machine.authority_name
    writing = await access_room(
        machine, result.room.id, staff_only=True, writing=True, case_store=True
    )
    assert writing.room.id == result.room.id


@pytest.mark.parametrize("flags", [{}, {"writing": True}, {"staff_only": True}])
async def test_a_case_store_passes_only_where_an_action_lets_case_stores_in(flags) -> None:  # type: ignore[no-untyped-def]
    """People only by default: notes, assignment, receipts, templates and the like
    never reach a machine because a check was forgotten."""
    result = await builders.room(ERIKA)
    machine, _ = await builders.client()
    with pytest.raises(NotFound):
        await access_room(machine, result.room.id, **flags)
    assert (await access_room(SABINE, result.room.id, **flags)).side is Side.authority


async def test_staff_only_and_a_side_are_not_given_together() -> None:
    result = await builders.room(ERIKA)
    with pytest.raises(ValueError):
        await access_room(SABINE, result.room.id, staff_only=True, side=Side.authority)


async def test_a_case_store_gets_not_found_for_another_authoritys_room() -> None:
    result = await builders.room(ERIKA)
    foreign, _ = await builders.client("demo-kreis")
    for flags in ({}, {"writing": True}, {"staff_only": True}):
        with pytest.raises(NotFound):
            await access_room(foreign, result.room.id, case_store=True, **flags)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await access_room(foreign, uuid.uuid4(), case_store=True)


async def test_a_case_store_writing_to_its_closed_room_is_refused_as_closed() -> None:
    result = await builders.room(ERIKA, closed=True)
    machine, _ = await builders.client()
    with pytest.raises(RoomClosed):
        await access_room(machine, result.room.id, writing=True, staff_only=True, case_store=True)
    assert (await access_room(machine, result.room.id, case_store=True)).room.closed
