"""Document requests through the pages, without JavaScript."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.posting import check_add_upload
from rooms.casework.requests import open_requests
from tests import builders
from tests.cast import ERIKA
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")


async def test_ask_for_documents_see_them_open_and_accept_what_arrives(app) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    deadline = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    async with in_process(app) as sabine, in_process(app) as erika:
        await login(sabine, "sabine")
        page = await sabine.get(room)
        assert 'id="request-form"' in page.text
        bad = await sabine.post(
            f"{room}/requests",
            data={
                "explanation": "Bitte nachreichen",
                "items": "",
                "deadline": "gestern",
                "_csrf_token": csrf(sabine),
            },
        )
        assert bad.status_code == 422
        assert "Bitte nachreichen" in bad.text  # nothing typed is lost
        assert bad.text.count('aria-invalid="true"') == 2
        created = await sabine.post(
            f"{room}/requests",
            data={
                "explanation": "Bitte reichen Sie nach:",
                "items": "Gehaltsnachweis\nMietvertrag (optional)\n",
                "deadline": deadline,
                "_csrf_token": csrf(sabine),
            },
        )
        assert created.status_code == 303

        await login(erika, "erika")
        mine = await erika.get(room)
        assert "noch 10 Tage" in mine.text
        assert re.search(r"Mietvertrag</span> \(optional\)", mine.text)
        assert 'id="request-form"' not in mine.text  # applicants do not ask

        [request] = await open_requests(result.room.id)
        item = request.items[0]
        stored = StoredFile(f"rooms/t/{uuid.uuid4()}", "lohn.pdf", "application/pdf", 10, "0" * 64)
        await check_add_upload(ERIKA, result.room.id, [stored], item_id=item.id, room_limit=10**9)
        page = await sabine.get(room)
        assert "eingereicht" in page.text and "wird geprüft" in page.text
        accepted = await sabine.post(
            f"{room}/request-items/{item.id}/review",
            data={"decision": "accept", "_csrf_token": csrf(sabine)},
        )
        assert accepted.status_code == 303
        assert "angenommen" in (await erika.get(room)).text
        assert "vollständig" in (await erika.get(room)).text
