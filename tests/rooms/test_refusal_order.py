"""Actions validate their input only after the gate: a refused caller learns nothing.

The applicant side, who may see the room, and outsiders, who may not, get the same
404 from an action that is not theirs, whatever they send: bad input included.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import check_issue_decision
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.representatives import check_create_invitation
from rooms.casework.requests import NewItem, check_create_request, check_review_item
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import Message
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE

pytestmark = pytest.mark.usefixtures("database")

NOT_A_PDF = StoredFile(f"rooms/test/{uuid.uuid4()}", "bild.png", "image/png", 10, "0" * 64)
PAST = datetime.now(UTC).date() - timedelta(days=1)


async def test_staff_only_actions_answer_the_applicant_side_404_even_for_bad_input() -> None:
    room = (await builders.room(ERIKA)).room.id
    before = await Message.count()
    with pytest.raises(NotFound):  # empty explanation, no items, a past deadline
        await check_create_request(ERIKA, room, "", [], PAST)
    with pytest.raises(NotFound):  # a rejection without a reason
        await check_review_item(ERIKA, room, uuid.uuid4(), accept=False, reason="")
    with pytest.raises(NotFound):  # an empty summary and no PDF
        await check_issue_decision(ERIKA, room, "", NOT_A_PDF)
    assert await Message.count() == before


@pytest.mark.parametrize("outsider", [JONAS, OTTO])
async def test_outsiders_get_404_whatever_they_send(outsider) -> None:  # type: ignore[no-untyped-def]
    room = (await builders.room(ERIKA)).room.id
    with pytest.raises(NotFound):
        await check_post_message(outsider, room, "   ")
    with pytest.raises(NotFound):
        await check_add_upload(outsider, room, [], room_limit=1)
    with pytest.raises(NotFound):
        await check_create_invitation(outsider, room, "x" * 500)


async def test_the_room_own_people_get_the_validation_message() -> None:
    """Control: the same bad input from those who may act is refused as invalid."""
    room = (await builders.room(ERIKA)).room.id
    with pytest.raises(Invalid):
        await check_create_request(SABINE, room, "", [NewItem("Nachweis")], PAST)
    with pytest.raises(Invalid):
        await check_issue_decision(SABINE, room, "Bescheid", NOT_A_PDF)
    with pytest.raises(Invalid):
        await check_post_message(ERIKA, room, "   ")
    with pytest.raises(Invalid):
        await check_add_upload(ERIKA, room, [], room_limit=1)
    with pytest.raises(Invalid):
        await check_create_invitation(ERIKA, room, "x" * 500)
