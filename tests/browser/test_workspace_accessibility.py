"""Accessibility (WCAG 2.1 AA) of the workspace, decision, preference and admin pages.

The same audit as ``test_accessibility`` (axe-core, skip link, reflow at 320 px, both
languages), on the pages that caseworkers, admins and applicants reach after intake:
the inbox with its views, a room with a decision, internal notes and the status
controls, the closing confirmation, the notification preferences, and the
administration (webhooks, text templates, including a refused form).
"""

from __future__ import annotations

import base64

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests import builders
from tests.browser.test_accessibility import Audit, check_both_languages, log_in, new_page
from tests.cast import ERIKA

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("database")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def decide(server: str, room_id: object) -> None:
    """The case store posts a decision; the server's scan worker (real clamd) clears it."""
    _, token = await builders.client("demo-stadt")
    async with httpx.AsyncClient(base_url=server) as api:
        response = await api.post(
            f"/api/v1/rooms/{room_id}/decisions",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "summary": "Ihr Antrag auf Wohngeld wird bewilligt.",
                "document": {
                    "name": "bescheid.pdf",
                    "content_base64": base64.b64encode(PDF).decode(),
                },
            },
        )
    assert response.status_code == 201, response.text


async def test_workspace_pages_meet_wcag_21_aa(server: str, browser: Browser) -> None:
    audit = Audit()
    result = await builders.room(ERIKA, message="Seit wann wohnen Sie in der Musterstraße?")
    room_url = f"{server}/rooms/{result.room.id}"
    await builders.room(ERIKA, title="Antrag auf Elterngeld")
    await decide(server, result.room.id)

    # The caseworker: inbox views, the room with its workspace, a note, the closing page.
    _, caseworker = await new_page(browser)
    await log_in(caseworker, server, "sabine")
    await caseworker.goto(f"{server}/inbox?filter=neu&q=Wohngeld")
    await expect(caseworker.get_by_role("heading", name="Posteingang")).to_be_visible()
    await check_both_languages(audit, caseworker, "inbox-filtered")
    await caseworker.goto(room_url)
    await expect(caseworker.locator("#decision-form")).to_be_visible()
    await caseworker.get_by_label("Interne Notiz", exact=True).fill(
        "Rückfrage beim Wohnungsamt läuft."
    )
    await caseworker.get_by_role("button", name="Notiz speichern").click()
    await expect(caseworker.locator("#notes")).to_contain_text("Rückfrage beim Wohnungsamt")
    await caseworker.goto(room_url)
    await expect(caseworker.locator("#item-2")).to_contain_text("bewilligt")
    await check_both_languages(audit, caseworker, "room-workspace")
    await caseworker.goto(f"{room_url}/close")
    await check_both_languages(audit, caseworker, "room-close")
    await caseworker.goto(f"{server}/einstellungen/benachrichtigungen")
    await check_both_languages(audit, caseworker, "preferences-staff")

    # The applicant: what needs them now, the decision, the preferences (and an error).
    _, applicant = await new_page(browser)
    await log_in(applicant, server, "erika")
    await expect(applicant.get_by_role("heading", name="Meine Anträge")).to_be_visible()
    await check_both_languages(audit, applicant, "applications-now")
    await applicant.goto(room_url)
    await expect(applicant.locator("#item-2")).to_contain_text("bewilligt")
    await expect(applicant.locator("#notizen")).to_have_count(0)
    await check_both_languages(audit, applicant, "room-decision")
    await applicant.goto(f"{server}/einstellungen/benachrichtigungen")
    await applicant.locator("#email").fill("keine-adresse")
    await applicant.get_by_role("button", name="Einstellungen speichern").click()
    await expect(applicant.locator("#email-error")).to_be_visible()
    await audit.check(applicant, "preferences-error")

    # The admin: the index, webhooks, text templates with a refused placeholder.
    _, admin = await new_page(browser)
    await log_in(admin, server, "anna")
    await expect(admin.get_by_role("heading", name="Verwaltung")).to_be_visible()
    await check_both_languages(audit, admin, "admin")
    await admin.goto(f"{server}/admin/webhooks")
    await check_both_languages(audit, admin, "admin-webhooks")
    await admin.goto(f"{server}/admin/textbausteine")
    await admin.locator("#template-name").fill("Nachforderung")
    await admin.locator("#template-body").fill("Guten Tag {antragsteller}, bis {datum} …")
    await admin.get_by_role("button", name="Speichern").click()
    await expect(admin.locator("#template-body-error")).to_contain_text("datum")
    await audit.check(admin, "admin-templates-error")
    await admin.locator("#template-body").fill("Guten Tag {antragsteller}, bitte bis {frist}.")
    await admin.get_by_role("button", name="Speichern").click()
    await expect(admin.get_by_text("Nachforderung").first).to_be_visible()
    await check_both_languages(audit, admin, "admin-templates")

    audit.assert_clean()
