"""Representatives: invited by code, bound to the redeeming account, removable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.posting import check_post_message
from rooms.casework.representatives import (
    InvitationRefused,
    check_create_invitation,
    check_redeem_invitation,
    check_remove_representative,
    participants,
)
from rooms.casework.timeline import timeline
from rooms.kernel.access import access_room
from rooms.kernel.errors import NotFound
from rooms.kernel.events import ParticipantAdded, ParticipantRemoved
from rooms.kernel.tables import AuditEvent, Invitation
from rooms.kernel.vocabulary import Side
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def test_an_invited_representative_acts_for_the_applicant() -> None:
    result = await builders.room(ERIKA)
    invitation = await check_create_invitation(ERIKA, result.room.id, "Steuerberatung")
    stored = await Invitation.select(Invitation.code_hash).first()
    assert stored is not None and invitation.code not in stored["code_hash"]

    with committed_facts() as heard:
        room_id = await check_redeem_invitation(JONAS, invitation.code.lower())
    assert room_id == result.room.id
    jonas = await access_room(JONAS, room_id)
    assert jonas.side is Side.applicant and jonas.participant_id is not None
    assert heard == [
        ParticipantAdded(
            room_id,
            result.room.authority_id,
            participant_id=jonas.participant_id,
            role="representative",
        )
    ]

    await check_post_message(JONAS, room_id, "Ich vertrete Frau Mustermann.")
    items = await timeline(await access_room(SABINE, room_id))
    assert (items[-1].author_name, items[-1].on_behalf_of) == ("Jonas Fremd", "Erika Mustermann")
    assert [p.role for p in await participants(room_id)] == ["applicant", "representative"]


async def test_a_code_works_once_and_only_until_it_expires() -> None:
    result = await builders.room(ERIKA)
    first = await check_create_invitation(ERIKA, result.room.id)
    await check_redeem_invitation(JONAS, first.code)
    with committed_facts() as heard, pytest.raises(InvitationRefused):
        await check_redeem_invitation(MAX, first.code)  # used: bound to Jonas
    assert heard == []
    with pytest.raises(NotFound):
        await access_room(MAX, result.room.id)

    second = await check_create_invitation(ERIKA, result.room.id)
    await Invitation.update(
        {Invitation.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(Invitation.redeemed_at.is_null())
    with pytest.raises(InvitationRefused):
        await check_redeem_invitation(MAX, second.code)
    with pytest.raises(InvitationRefused):
        await check_redeem_invitation(MAX, "AAAAA-BBBBB-CCCCC-DDDDD")
    refused = await AuditEvent.count().where(
        (AuditEvent.action == "invitation_redeemed") & (AuditEvent.outcome == "refused")
    )
    assert refused == 3


async def test_staff_cannot_redeem_and_representatives_cannot_invite_or_remove() -> None:
    result = await builders.room(ERIKA)
    invitation = await check_create_invitation(SABINE, result.room.id)  # a caseworker may
    with pytest.raises(InvitationRefused):
        await check_redeem_invitation(OTTO, invitation.code)
    await check_redeem_invitation(JONAS, invitation.code)
    with pytest.raises(NotFound):
        await check_create_invitation(JONAS, result.room.id)
    [_, representative] = await participants(result.room.id)
    with pytest.raises(NotFound):
        await check_remove_representative(JONAS, result.room.id, representative.id)


async def test_removal_ends_access_at_once_and_outsiders_cannot_remove() -> None:
    result = await builders.room(ERIKA)
    await check_redeem_invitation(
        JONAS, (await check_create_invitation(ERIKA, result.room.id)).code
    )
    [_, representative] = await participants(result.room.id)
    with committed_facts() as heard, pytest.raises(NotFound):
        await check_remove_representative(OTTO, result.room.id, representative.id)
    assert heard == []
    with committed_facts() as heard:
        await check_remove_representative(ERIKA, result.room.id, representative.id)
    assert heard == [
        ParticipantRemoved(
            result.room.id,
            result.room.authority_id,
            participant_id=representative.id,
            role="representative",
        )
    ]
    with pytest.raises(NotFound):
        await access_room(JONAS, result.room.id)
    with committed_facts() as heard, pytest.raises(NotFound):  # nothing left to remove
        await check_remove_representative(ERIKA, result.room.id, representative.id)
    assert heard == []
    actions = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {"invitation_created", "participant_added", "participant_removed"} <= actions


async def test_an_organisation_employee_is_recorded_acting_for_the_organisation() -> None:
    result = await builders.room(MAX, applicant_name="Beispiel GmbH")
    await check_post_message(MAX, result.room.id, "Anschrift bestätigt.")
    item = (await timeline(await access_room(SABINE, result.room.id)))[-1]
    assert (item.author_name, item.on_behalf_of) == ("Max Beispiel", "Beispiel GmbH")
