"""A closed room takes no new representative: closing revokes open codes, and a code
is redeemed only into an open room (once, also when two redeem or close at once)."""

from __future__ import annotations

import asyncio

import pytest

from rooms.casework.lifecycle import check_close_room
from rooms.casework.representatives import (
    InvitationRefused,
    check_create_invitation,
    check_redeem_invitation,
    participants,
)
from rooms.kernel.access import access_room
from rooms.kernel.errors import NotFound
from rooms.kernel.tables import Invitation, Room
from rooms.kernel.vocabulary import RoomStatus
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def test_closing_a_room_revokes_its_open_invitations() -> None:
    result = await builders.room(ERIKA)
    used = await check_create_invitation(ERIKA, result.room.id, "Steuerberatung")
    await check_redeem_invitation(MAX, used.code)
    issued = await check_create_invitation(ERIKA, result.room.id, "Anwalt")
    await check_close_room(SABINE, result.room.id)

    rows = await Invitation.select(Invitation.label, Invitation.revoked_at).order_by(
        Invitation.label
    )
    assert [(r["label"], r["revoked_at"] is not None) for r in rows] == [
        ("Anwalt", True),
        ("Steuerberatung", False),  # redeemed before: nothing left to revoke
    ]
    with committed_facts() as heard, pytest.raises(InvitationRefused):
        await check_redeem_invitation(JONAS, issued.code)
    assert heard == []
    with pytest.raises(NotFound):
        await access_room(JONAS, result.room.id)


async def test_a_code_is_not_redeemed_into_a_closed_room() -> None:
    result = await builders.room(ERIKA)
    issued = await check_create_invitation(ERIKA, result.room.id)
    # Closed without its codes revoked (as rooms closed before revoking was built).
    await Room.update({Room.status: RoomStatus.closed.value}).where(Room.id == result.room.id)

    with committed_facts() as heard, pytest.raises(InvitationRefused):
        await check_redeem_invitation(JONAS, issued.code)
    assert heard == []
    with pytest.raises(NotFound):
        await access_room(JONAS, result.room.id)
    assert [p.role for p in await participants(result.room.id)] == ["applicant"]
    row = await Invitation.select(Invitation.redeemed_at).first()
    assert row is not None and row["redeemed_at"] is None


@pytest.mark.only_on("postgres")  # SQLite has one writer at a time
async def test_two_accounts_redeeming_one_code_at_once_get_it_once() -> None:
    result = await builders.room(ERIKA)
    issued = await check_create_invitation(ERIKA, result.room.id)
    outcomes = await asyncio.gather(
        *[check_redeem_invitation(who, issued.code) for who in (JONAS, MAX, JONAS, MAX)],
        return_exceptions=True,
    )
    assert sum(isinstance(o, InvitationRefused) for o in outcomes) == 3
    roles = [p.role for p in await participants(result.room.id)]
    assert roles == ["applicant", "representative"]


@pytest.mark.only_on("postgres")
async def test_closing_while_a_code_is_redeemed_lets_in_at_most_one_before_the_close() -> None:
    for _ in range(5):
        result = await builders.room(ERIKA, case_ref=None)
        issued = await check_create_invitation(ERIKA, result.room.id)
        redeemed, _closed = await asyncio.gather(
            check_redeem_invitation(JONAS, issued.code),
            check_close_room(SABINE, result.room.id),
            return_exceptions=True,
        )
        row = await (
            Invitation.select(Invitation.redeemed_at, Invitation.revoked_at)
            .where(Invitation.room == result.room.id)
            .first()
        )
        assert row is not None
        if isinstance(redeemed, InvitationRefused):  # the close came first
            assert row["redeemed_at"] is None and row["revoked_at"] is not None
            with pytest.raises(NotFound):
                await access_room(JONAS, result.room.id)
        else:  # the redemption came first; the close found nothing left to revoke
            assert row["redeemed_at"] is not None and row["revoked_at"] is None
