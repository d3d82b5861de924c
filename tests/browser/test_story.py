"""The whole story in a real browser: intake, login, reply, live answer."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests import builders
from tests.cast import ERIKA

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("database")]


async def log_in(page: Page, base: str, persona: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_role("link", name="Anmelden").first.click()
    await page.get_by_role("link", name="Entwicklungs-Anmeldung").click()
    await page.locator(f"#persona-{persona}").click()


async def test_intake_login_reply_and_live_answer(server: str, browser: Browser) -> None:
    _, token = await builders.client("demo-stadt")
    async with httpx.AsyncClient(base_url=server) as api:
        created = await api.post(
            "/api/v1/rooms",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "case_ref": "WG-2026-000777",
                "title": "Antrag auf Wohngeld",
                "applicant": {
                    "subject": "demo-citizen-erika",
                    "kind": "person",
                    "name": "Erika Mustermann",
                },
                "message": {"body": "Seit wann wohnen Sie in der Musterstraße?"},
            },
        )
    assert created.status_code == 201, created.text
    room_url = created.json()["url"]

    applicant = await (await browser.new_context(locale="de-DE")).new_page()
    await log_in(applicant, server, "erika")
    await expect(applicant.get_by_role("heading", name="Meine Anträge")).to_be_visible()
    await applicant.get_by_role("link", name="Antrag auf Wohngeld").click()
    await expect(applicant.locator("#item-1")).to_contain_text("Musterstraße")
    await applicant.get_by_label("Ihre Nachricht").fill("Seit dem 1. März 2026.")
    await applicant.get_by_role("button", name="Antwort senden").click()
    await expect(applicant.locator("#item-2")).to_contain_text("Seit dem 1. März 2026.")
    await expect(applicant.get_by_label("Ihre Nachricht")).to_have_value("")

    caseworker = await (await browser.new_context(locale="de-DE")).new_page()
    await log_in(caseworker, server, "sabine")
    await expect(caseworker.get_by_role("heading", name="Posteingang")).to_be_visible()
    row = caseworker.locator("tr.inbox-row--unread", has_text="Antrag auf Wohngeld")
    await expect(row).to_contain_text("1 ungelesene Nachricht")
    await row.get_by_role("link", name="Antrag auf Wohngeld").click()
    await expect(caseworker.locator("#item-2")).to_contain_text("Seit dem 1. März 2026.")

    # The applicant's open page learns that the caseworker read the reply ...
    await expect(applicant.locator("#receipt-2")).to_contain_text("Gelesen am")
    # ... and shows the caseworker's answer without a reload.
    await caseworker.get_by_label("Ihre Nachricht").fill("Danke, wir prüfen das.")
    await caseworker.get_by_role("button", name="Antwort senden").click()
    await expect(applicant.locator("#item-3")).to_contain_text("Danke, wir prüfen das.")
    await expect(applicant.locator("#item-3")).to_contain_text("Sabine Sachbearbeiterin")
    assert applicant.url == room_url

    # The caseworker marks the application as waiting, then closes the room: the
    # applicant's open page shows the status, then loses its forms, without a reload.
    await caseworker.get_by_label("Wartet auf Antragstellende").check()
    await caseworker.get_by_role("button", name="Status setzen").click()
    await expect(applicant.locator("#room-status")).to_contain_text("Wartet auf Sie")
    await caseworker.goto(f"{room_url}/close")
    await caseworker.get_by_label("Ja, diesen Antragsraum endgültig schließen").check()
    await caseworker.get_by_role("button", name="Schließen", exact=True).click()
    await expect(applicant.locator("#room-closed")).to_be_visible()
    await expect(applicant.locator("#composer")).to_have_count(0)
    await expect(applicant.locator("#upload-section")).to_have_count(0)
    await expect(applicant.locator("#room-status")).to_contain_text("Abgeschlossen")


async def test_the_room_works_without_javascript(server: str, browser: Browser) -> None:
    result = await builders.room(ERIKA, message="Bitte bestätigen Sie Ihre Anschrift.")
    context = await browser.new_context(java_script_enabled=False, locale="de-DE")
    page = await context.new_page()
    await log_in(page, server, "erika")
    await page.goto(f"{server}/rooms/{result.room.id}")
    await page.get_by_label("Ihre Nachricht").fill("Musterstraße 1, 12345 Musterstadt")
    await page.get_by_role("button", name="Antwort senden").click()
    await expect(page.locator("#item-2")).to_contain_text("Musterstraße 1")
    assert page.url.endswith("#item-2")
