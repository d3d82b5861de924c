"""Applicants are mailed at their account's address; a caseworker learns who cannot be told."""

from __future__ import annotations

import asyncio
from uuid import UUID

import httpx
import pytest

from app import create_app
from rooms.casework.posting import check_post_message
from rooms.outbound.notify.addresses import remember_account_address
from rooms.outbound.notify.preferences import check_update_preferences
from tests.cast import ERIKA, SABINE
from tests.conftest import make_settings, serving
from tests.login import csrf, login
from tests.notify.conftest import SmtpServer, notifications, room_for, smtp_settings
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

NO_ADDRESS = "Für Erika Mustermann ist keine E-Mail-Adresse bekannt."
SWITCHED_OFF = "Erika Mustermann hat Benachrichtigungen per E-Mail abgeschaltet."


async def _post_as_caseworker(staff: httpx.AsyncClient, room_id: UUID, body: str) -> None:
    page = await staff.get(f"/rooms/{room_id}")
    assert page.status_code == 200, page.text
    posted = await staff.post(
        f"/rooms/{room_id}/messages", data={"body": body, "_csrf_token": csrf(staff)}
    )
    assert posted.status_code == 303, posted.text


async def test_erika_is_mailed_at_her_account_address_on_the_served_app(
    database, tmp_path, smtp: SmtpServer
) -> None:
    room_id = await room_for(ERIKA, "")  # the intake gave no address
    mail = smtp_settings(smtp.port, poll_seconds=0.05)
    async with serving(database, tmp_path, notifications=mail) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as applicant:
            await login(applicant, "erika")  # the dev IdP's Erika has erika@example.org
        async with httpx.AsyncClient(base_url=base_url) as staff:
            await login(staff, "sabine")
            await _post_as_caseworker(staff, room_id, "Bitte reichen Sie den Mietvertrag nach.")
        async with asyncio.timeout(10):
            while not smtp.to("erika@example.org"):  # noqa: ASYNC110 - a poll with a deadline
                await asyncio.sleep(0.05)
    [sent] = smtp.to("erika@example.org")
    assert "Neue Nachricht" in sent["Subject"]
    [row] = await notifications(room=room_id)
    assert (row["state"], row["address"]) == ("sent", "erika@example.org")


async def test_the_own_choice_comes_first_then_the_account_then_the_intake() -> None:
    room_id = await room_for(ERIKA, "intake@example.org")
    await check_post_message(SABINE, room_id, "Erste Frage")
    await remember_account_address(ERIKA)
    await check_post_message(SABINE, room_id, "Zweite Frage")
    await check_update_preferences(
        ERIKA, email="erika.privat@example.org", email_enabled=True, language="de"
    )
    await check_post_message(SABINE, room_id, "Dritte Frage")
    addresses = [r["address"] for r in await notifications(room=room_id)]
    assert addresses == ["intake@example.org", "erika@example.org", "erika.privat@example.org"]


async def test_the_caseworker_is_warned_while_nobody_can_tell_the_applicant(
    database, tmp_path
) -> None:
    room_id = await room_for(ERIKA, "")
    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application), in_process(application) as staff:
        await login(staff, "sabine")
        page = await staff.get(f"/rooms/{room_id}")
        assert NO_ADDRESS in page.text
        assert 'aria-labelledby="unreachable-heading"' in page.text

        async with in_process(application) as applicant:
            await login(applicant, "erika")
            own = await applicant.get(f"/rooms/{room_id}")
            assert "nicht benachrichtigt" not in own.text  # the applicant is not shown this
        page = await staff.get(f"/rooms/{room_id}")
        assert NO_ADDRESS not in page.text  # her login gave her account's address

        await check_update_preferences(ERIKA, email="", email_enabled=False, language="de")
        page = await staff.get(f"/rooms/{room_id}")
        assert SWITCHED_OFF in page.text
