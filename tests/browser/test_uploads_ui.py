"""Uploading files in a real browser: enhanced by upload.js, and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests import builders
from tests.browser.test_accessibility import Audit
from tests.cast import ERIKA

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("database")]

FAKE_PNG = "<!doctype html><script>alert(1)</script>"
SCAN_TIMEOUT = 10_000  # ms: clamd scans each file after its upload
CHOOSE = "Dateien auswählen"


async def log_in(page: Page, base: str, persona: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name="Entwicklungs-Anmeldung").click()
    await page.locator(f"#persona-{persona}").click()


async def open_room(browser: Browser, server: str, *, javascript: bool = True) -> Page:
    result = await builders.room(ERIKA, message="Bitte senden Sie uns Ihre Unterlagen.")
    context = await browser.new_context(locale="de-DE", java_script_enabled=javascript)
    page = await context.new_page()
    await log_in(page, server, "erika")
    await expect(page.get_by_role("heading", name="Meine Anträge")).to_be_visible()
    await page.goto(f"{server}/rooms/{result.room.id}")
    await expect(page.locator("#item-1")).to_contain_text("Unterlagen")
    return page


def text_file(name: str, content: str) -> dict[str, object]:
    return {"name": name, "mimeType": "text/plain", "buffer": content.encode()}


async def test_two_files_at_once_with_progress_then_a_live_scan_verdict(
    server: str, browser: Browser
) -> None:
    page = await open_room(browser, server)
    form = page.locator("form.upload-form", has=page.locator("#upload-free"))
    # Enhanced: the input's area is a drop zone; the input itself stays as it is.
    await expect(form.locator(".upload-drop")).to_be_visible()
    await expect(form.locator(".upload-drop__hint")).to_have_text("oder Dateien hierher ziehen")
    await page.evaluate("window.__sameDocument = true")

    await page.get_by_label(CHOOSE).set_input_files(
        [
            text_file("meldebescheinigung.txt", "Meldebescheinigung\n"),
            text_file("mietvertrag.txt", "Mietvertrag, Seite 1\n"),
        ]
    )
    await form.get_by_role("button", name="Hochladen").click()

    status = form.locator(".upload-status")
    await expect(status).to_have_attribute("aria-live", "polite")
    await expect(status.locator(".upload-row")).to_have_count(2)
    for name in ("meldebescheinigung.txt", "mietvertrag.txt"):
        await expect(status.get_by_role("progressbar", name=name)).to_have_attribute("value", "100")
        row = status.locator(".upload-row", has_text=name)
        await expect(row).to_contain_text("100 %")
        await expect(row.locator(".upload-row__result")).to_have_text("hochgeladen – wird geprüft")
    await expect(page.get_by_label(CHOOSE)).to_have_js_property("value", "")  # reset

    # Both files arrive live in the timeline, as uploads of their own; once clamd
    # has called them clean, the verdict replaces the "wird geprüft" badge with a link.
    timeline = page.locator("#timeline")
    await expect(timeline.locator(".timeline-item--upload")).to_have_count(2)
    for name in ("meldebescheinigung.txt", "mietvertrag.txt"):
        await expect(timeline.locator(".attachment", has_text=name)).to_have_count(1)
        link = timeline.get_by_role("link", name=name, exact=True)
        await expect(link).to_have_attribute(
            "href", re.compile(r"/attachments/"), timeout=SCAN_TIMEOUT
        )
    await expect(timeline.get_by_text("wird geprüft", exact=True)).to_have_count(0)
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"

    audit = Audit()  # the drop zone and the finished rows, checked with axe-core
    await audit.check(page, "room-uploaded")
    audit.assert_clean()


async def test_a_refused_file_shows_the_servers_reason_and_adds_nothing(
    server: str, browser: Browser
) -> None:
    page = await open_room(browser, server)
    form = page.locator("form.upload-form", has=page.locator("#upload-free"))
    zone = form.locator(".upload-drop")
    # Dropped onto the drop zone (a file made in the page: Playwright has no file drag).
    drop = await page.evaluate_handle(
        """(content) => {
            const data = new DataTransfer();
            data.items.add(new File([content], "bild.png", {type: "image/png"}));
            return data;
        }""",
        FAKE_PNG,
    )
    await zone.dispatch_event("dragenter", {"dataTransfer": drop})
    await expect(zone).to_have_class(re.compile(r"\bupload-drop--over\b"))
    await zone.dispatch_event("drop", {"dataTransfer": drop})
    await expect(zone).not_to_have_class(re.compile(r"\bupload-drop--over\b"))
    assert await page.get_by_label(CHOOSE).evaluate("(input) => input.files[0].name") == "bild.png"
    await form.get_by_role("button", name="Hochladen").click()

    row = form.locator(".upload-status .upload-row", has_text="bild.png")
    await expect(row).to_have_class(re.compile(r"\bupload-row--failed\b"))
    await expect(row.locator(".upload-row__result")).to_contain_text("gefunden wurde „html“")
    # The refused file stays selected to try again; nothing reached the timeline.
    assert await page.get_by_label(CHOOSE).evaluate("(input) => input.files.length") == 1
    await expect(form.get_by_role("button", name="Hochladen")).to_be_enabled()
    await expect(page.locator("#timeline .timeline-item")).to_have_count(1)
    await expect(page.locator("#timeline .attachment")).to_have_count(0)

    audit = Audit()  # the refused row: named progress bar, readable error, 320px reflow
    await audit.check(page, "room-upload-refused")
    audit.assert_clean()


async def test_without_javascript_the_plain_form_uploads(server: str, browser: Browser) -> None:
    page = await open_room(browser, server, javascript=False)
    await expect(page.locator(".upload-drop")).to_have_count(0)  # no enhancement
    await page.get_by_label(CHOOSE).set_input_files(
        text_file("meldebescheinigung.txt", "Meldebescheinigung\n")
    )
    await page.get_by_role("button", name="Hochladen").click()

    await expect(page.locator("#item-2")).to_contain_text("meldebescheinigung.txt")
    assert re.search(r"/rooms/[^/#?]+#item-2$", page.url), page.url
    await expect(page.get_by_role("heading", name="Dateien senden")).to_be_visible()
