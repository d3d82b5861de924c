"""A refused address is shown to the room's caseworker, never to the applicant."""

from __future__ import annotations

import pytest

from app import create_app
from rooms.casework.posting import check_post_message
from tests.cast import ERIKA, SABINE
from tests.conftest import make_settings
from tests.login import login
from tests.notify.conftest import REFUSED, Clock, SmtpServer, mail_worker, notifications, room_for
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

WARNING = "Benachrichtigung an Erika Mustermann nicht zustellbar"


async def test_the_caseworker_sees_the_undeliverable_notice_and_the_applicant_does_not(
    database, tmp_path, smtp: SmtpServer, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, REFUSED)
    await check_post_message(SABINE, room_id, "Bitte reichen Sie den Mietvertrag nach.")
    await mail_worker(smtp.port, clock).run_once()
    [row] = await notifications(room=room_id)
    assert row["state"] == "undeliverable", row

    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application):
        async with in_process(application) as staff:
            await login(staff, "sabine")
            page = await staff.get(f"/rooms/{room_id}")
            assert page.status_code == 200
            assert WARNING in page.text
            assert REFUSED in page.text and "550 5.1.1" in page.text
        async with in_process(application) as applicant:
            await login(applicant, "erika")
            page = await applicant.get(f"/rooms/{room_id}")
            assert page.status_code == 200
            assert "nicht zustellbar" not in page.text and "550 5.1.1" not in page.text
