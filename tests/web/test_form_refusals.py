"""Forms that are refused answer with the form again: a clear message, nothing typed lost.

Browsers stop these inputs by the fields' own limits; a request made by hand (or an
old page) gets past them and must not meet a server error.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.posting import check_add_upload
from rooms.casework.requests import NewItem, check_create_request, open_requests
from rooms.kernel.tables import Invitation, RequestItem
from tests import builders
from tests.cast import ERIKA, SABINE
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")


async def _submitted_item(room_id: uuid.UUID) -> uuid.UUID:
    deadline = datetime.now(UTC).date() + timedelta(days=10)
    await check_create_request(SABINE, room_id, "Bitte nachreichen", [NewItem("Lohn")], deadline)
    [request] = await open_requests(room_id)
    item = request.items[0].id
    stored = StoredFile(f"rooms/t/{uuid.uuid4()}", "lohn.pdf", "application/pdf", 10, "0" * 64)
    await check_add_upload(ERIKA, room_id, [stored], item_id=item, room_limit=10**9)
    return item


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Bitte nennen Sie den Grund der Ablehnung."), ("x" * 2001, "höchstens 2000 Zeichen")],
)
async def test_a_refused_rejection_shows_why_and_keeps_the_reason(app, reason, message) -> None:
    result = await builders.room(ERIKA)
    item = await _submitted_item(result.room.id)
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{result.room.id}")  # the token is issued for the new session
        refused = await sabine.post(
            f"/rooms/{result.room.id}/request-items/{item}/review",
            data={"decision": "reject", "reason": reason, "_csrf_token": csrf(sabine)},
        )
    assert refused.status_code == 422
    assert message in refused.text
    assert f'aria-describedby="reason-{item}-error"' in refused.text
    assert f'value="{reason}"' in refused.text  # what was typed is still there
    [row] = await RequestItem.select(RequestItem.state).where(RequestItem.id == item)
    assert row["state"] == "submitted"


async def test_a_too_long_invitation_label_shows_why_and_keeps_the_label(app) -> None:
    result = await builders.room(ERIKA)
    label = "Steuerberatung " * 20
    async with in_process(app) as erika:
        await login(erika, "erika")
        await erika.get(f"/rooms/{result.room.id}")  # the token is issued for the new session
        refused = await erika.post(
            f"/rooms/{result.room.id}/invitations",
            data={"label": label, "_csrf_token": csrf(erika)},
        )
    assert refused.status_code == 422
    assert "höchstens 200 Zeichen" in refused.text
    assert 'aria-describedby="invite-label-error"' in refused.text
    assert label.strip() in refused.text
    assert await Invitation.count() == 0
