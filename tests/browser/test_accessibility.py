"""Accessibility (WCAG 2.1 AA, as BITV 2.0 requires) of every page, checked with axe-core.

axe-core comes from npm (tests/browser/package.json, pinned and locked): run
``npm ci --prefix tests/browser`` once. It is injected through Playwright's
``page.evaluate`` (a DevTools evaluation, not a <script> element), so the pages
keep their strict Content-Security-Policy while they are checked.

Set ANTRAGSRAUM_A11Y_SCREENSHOTS=/some/dir to keep a screenshot of every page.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests import builders
from tests.cast import ERIKA

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("database")]

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = os.environ.get("ANTRAGSRAUM_A11Y_SCREENSHOTS", "")


def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_JS} is missing): run `npm ci --prefix tests/browser`"
        )
    return AXE_JS.read_text(encoding="utf-8")


RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target.join(" "),
            html: n.html,
            summary: n.failureSummary,
        })),
    }));
}"""

# The first element that sequential keyboard navigation reaches, in document order.
FIRST_TABBABLE = """() => {
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
    for (const el of document.querySelectorAll(selector)) {
        if (el.disabled || el.tabIndex < 0 || el.closest('[hidden], [inert]')) continue;
        if (el.matches('input[type="hidden"]')) continue;
        return {tag: el.tagName.toLowerCase(), cls: el.className, href: el.getAttribute('href')};
    }
    return null;
}"""


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            html = node["html"] if len(node["html"]) <= 200 else node["html"][:200] + "…"
            lines.append(f"      at {node['target']}: {html}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"        {line}")
    return "\n".join(lines)


class Audit:
    """Checks pages and collects the findings, so that one run reports them all."""

    def __init__(self) -> None:
        self.axe = axe_source()
        self.problems: list[str] = []
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)

    async def check(self, page: Page, name: str, *, lang: str = "de") -> None:
        await page.wait_for_load_state("load")
        if SCREENSHOTS:
            await page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)
        html_lang = await page.locator("html").get_attribute("lang")
        if html_lang != lang:
            self.problems.append(f"{name} ({page.url}): <html lang> is {html_lang!r}, not {lang!r}")
        await self._check_skip_link(page, name)
        await page.evaluate(self.axe)
        violations = await page.evaluate(RUN_AXE, WCAG_TAGS)
        if violations:
            self.problems.append(f"{name} ({page.url}):\n{describe(violations)}")
        await self._check_reflow(page, name)

    async def _check_reflow(self, page: Page, name: str) -> None:
        """WCAG 1.4.10: at 320 CSS pixels wide nothing needs horizontal scrolling."""
        size = page.viewport_size
        await page.set_viewport_size({"width": 320, "height": 640})
        try:
            if SCREENSHOTS:
                await page.screenshot(path=f"{SCREENSHOTS}/{name}-320.png", full_page=True)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                self.problems.append(f"{name}: {width}px wide at a 320px viewport (reflow)")
        finally:
            if size:
                await page.set_viewport_size(size)

    async def _check_skip_link(self, page: Page, name: str) -> None:
        first = await page.evaluate(FIRST_TABBABLE)
        if not first or "ar-skip-link" not in first["cls"] or first["href"] != "#inhalt":
            self.problems.append(
                f"{name}: the first focusable element is {first}, not the skip link"
            )
        if await page.locator("#inhalt").count() != 1:
            self.problems.append(f"{name}: the skip link's target #inhalt is missing")

    def assert_clean(self) -> None:
        assert not self.problems, "Accessibility problems (WCAG 2.1 AA):\n" + "\n".join(
            self.problems
        )


def in_language(url: str, lang: str) -> str:
    return url + ("&" if "?" in url else "?") + f"lang={lang}"


async def check_both_languages(audit: Audit, page: Page, name: str) -> None:
    """Check the page as loaded (German), then the same URL with the English UI.

    ``?lang=`` may be remembered in a cookie, so German is chosen again explicitly.
    """
    url = page.url.split("#")[0]
    await audit.check(page, name)
    await page.goto(in_language(url, "en"))
    await audit.check(page, f"{name}-en", lang="en")
    await page.goto(in_language(url, "de"))


async def new_page(browser: Browser, **options: Any) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(locale="de-DE", **options)
    return context, await context.new_page()


async def log_in(page: Page, base: str, persona: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name="Entwicklungs-Anmeldung").click()
    await page.locator(f"#persona-{persona}").click()


async def test_every_page_meets_wcag_21_aa(server: str, browser: Browser) -> None:
    audit = Audit()  # fails at once when axe-core is not installed
    result = await builders.room(ERIKA, message="Seit wann wohnen Sie in der Musterstraße?")
    room_url = f"{server}/rooms/{result.room.id}"
    await builders.room(ERIKA, title="Antrag auf Elterngeld", closed=True)

    _, applicant = await new_page(browser)
    await applicant.goto(f"{server}/")
    await check_both_languages(audit, applicant, "start")

    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await applicant.keyboard.press("Tab")
    skip = applicant.locator(":focus")
    await expect(skip).to_have_class("ar-skip-link kern-link")
    await expect(skip).to_have_attribute("href", "#inhalt")
    await expect(skip).to_be_in_viewport()
    await applicant.keyboard.press("Enter")
    await expect(applicant.locator("#inhalt")).to_be_focused()

    await applicant.get_by_role("link", name="Anmelden").first.click()
    await expect(applicant.get_by_role("heading", name="Anmelden")).to_be_visible()
    await check_both_languages(audit, applicant, "login")

    await applicant.get_by_role("link", name="Entwicklungs-Anmeldung").click()
    await expect(applicant.locator("#persona-erika")).to_be_visible()
    await check_both_languages(audit, applicant, "dev-idp")

    await applicant.goto(f"{server}/login/nirgendwo")
    await check_both_languages(audit, applicant, "identity-error")

    await log_in(applicant, server, "erika")
    await expect(applicant.get_by_role("heading", name="Meine Anträge")).to_be_visible()
    await expect(applicant.locator("#rooms-list .kern-badge").first).to_be_visible()
    await check_both_languages(audit, applicant, "applications")

    # The room with messages from both sides, the applicant's own one read.
    await applicant.goto(room_url)
    await applicant.get_by_label("Ihre Nachricht").fill("Seit dem 1. März 2026.")
    await applicant.get_by_role("button", name="Antwort senden").click()
    await expect(applicant.locator("#item-2")).to_contain_text("Seit dem 1. März 2026.")

    _, caseworker = await new_page(browser)
    await log_in(caseworker, server, "sabine")
    await expect(caseworker.get_by_role("heading", name="Posteingang")).to_be_visible()
    await expect(caseworker.locator("tr.inbox-row--unread")).to_have_count(1)
    await check_both_languages(audit, caseworker, "inbox")
    await caseworker.goto(room_url)
    await expect(applicant.locator("#receipt-2")).to_contain_text("Gelesen am")
    await caseworker.get_by_label("Ihre Nachricht").fill("Danke, wir prüfen das.")
    await caseworker.get_by_role("button", name="Antwort senden").click()
    await expect(applicant.locator("#item-3")).to_contain_text("Danke, wir prüfen das.")
    await check_both_languages(audit, caseworker, "room-caseworker")

    await applicant.goto(room_url)
    await expect(applicant.locator("#receipt-2")).to_contain_text("Gelesen am")
    await check_both_languages(audit, applicant, "room")

    await applicant.goto(f"{server}/antraege")
    await applicant.get_by_role("link", name="Antrag auf Elterngeld").click()
    await expect(applicant.locator("#composer")).to_have_count(0)
    await check_both_languages(audit, applicant, "room-closed")

    await applicant.goto(f"{server}/rooms/gibt-es-nicht")
    await expect(applicant.get_by_role("heading", name="Seite nicht gefunden")).to_be_visible()
    await check_both_languages(audit, applicant, "not-found")
    # A path no route matches is answered outside the language middleware: German only.
    await applicant.goto(f"{server}/gibt-es-nicht")
    await expect(applicant.get_by_role("heading", name="Seite nicht gefunden")).to_be_visible()
    await audit.check(applicant, "no-route")

    # Without JavaScript an empty message comes back with the error on the full page.
    # axe needs JavaScript in the page, so the page's own scripts are blocked instead.
    scriptless, nojs = await new_page(browser)
    await scriptless.route("**/*.js", lambda route: route.abort())
    await log_in(nojs, server, "erika")
    await nojs.goto(room_url)
    await nojs.get_by_role("button", name="Antwort senden").click()
    await expect(nojs.locator("#message-body-error")).to_be_visible()
    assert await nojs.evaluate("typeof htmx") == "undefined"
    await audit.check(nojs, "room-error")
    await scriptless.add_cookies([{"name": "lang", "value": "en", "url": server}])
    await nojs.goto(room_url)
    await nojs.get_by_role("button", name="Send reply").click()
    await expect(nojs.locator("#message-body-error")).to_contain_text("Please enter a message.")
    await audit.check(nojs, "room-error-en", lang="en")

    audit.assert_clean()
