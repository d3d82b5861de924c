"""The login gate: a logged-out visitor logs in and lands where they were going, query
and all; a hostile ``next`` never leads off the site.

These go through the served app (uvicorn) and the development IdP, as a browser would:
the page, the redirect to ``/login``, the provider link there, ``/login/dev``, the
persona, ``/auth/callback``, and the redirect back.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests import builders
from tests.login import choose_persona

pytestmark = pytest.mark.usefixtures("database")

DEV_LINK = re.compile(r'id="login-provider-dev"\s+href="([^"]*)"')


@pytest.fixture
async def browser(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, follow_redirects=False) as client:
        yield client


def _path(url: str) -> str:
    return httpx.URL(url).raw_path.decode()


async def log_in_from(browser: httpx.AsyncClient, page: str, persona: str) -> str:
    """Open ``page`` logged out, log in as ``persona`` from there; where the login ends."""
    gate = await browser.get(page)
    assert gate.status_code == 303, gate.text
    login_page = await browser.get(gate.headers["location"])
    assert login_page.status_code == 200
    link = DEV_LINK.search(login_page.text)
    assert link, login_page.text
    started = await browser.get(html.unescape(link.group(1)))
    assert started.status_code == 303, started.text
    chosen = await choose_persona(browser, started.headers["location"], persona)
    assert chosen.status_code == 303, chosen.text
    callback = await browser.get(_path(chosen.headers["location"]))
    assert callback.status_code == 303, callback.text
    return str(callback.headers["location"])


async def test_an_invitation_link_opened_logged_out_keeps_its_code_through_the_login(
    browser: httpx.AsyncClient,
) -> None:
    gate = await browser.get("/einladung?code=ABC")
    assert gate.headers["location"] == "/login?next=/einladung%3Fcode%3DABC"

    landing = await log_in_from(browser, "/einladung?code=ABC", "jonas")
    assert landing == "/einladung?code=ABC"
    form = await browser.get(landing)
    assert form.status_code == 200
    assert 'name="code" type="text" value="ABC"' in form.text


async def test_another_page_keeps_its_whole_query_through_the_login(
    browser: httpx.AsyncClient,
) -> None:
    await builders.authority("demo-stadt")
    page = "/inbox?filter=neu&q=Wohngeld+Nord&sort=aktivitaet"

    landing = await log_in_from(browser, page, "sabine")
    assert landing == page
    inbox = await browser.get(landing)
    assert inbox.status_code == 200
    assert 'value="Wohngeld Nord"' in inbox.text


async def test_an_htmx_request_is_sent_to_the_same_login(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/inbox?filter=neu&q=a%26b", headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=/inbox%3Ffilter%3Dneu%26q%3Da%2526b"


async def test_a_path_that_is_not_safe_to_return_to_is_left_out(
    browser: httpx.AsyncClient,
) -> None:
    gate = await browser.get("/rooms/%5C%5Cevil.example")  # the path reads /rooms/\\evil.example
    assert gate.status_code == 303
    assert gate.headers["location"] == "/login"


HOSTILE = [
    "//evil.example/x",
    "///evil.example",
    "https://evil.example/",
    "https:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "%2F%2Fevil.example",  # decodes to //evil.example
    "/%5Cevil.example",  # /\evil.example
    "%5C%5Cevil.example",
    "/%09/evil.example",  # a tab: browsers drop it and read //evil.example
    "%20//evil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "/%E2%80%A8//evil.example",  # U+2028, a line separator
    pytest.param("/" + "a" * 2_001, id="longer-than-2000"),
]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_a_hostile_next_is_dropped_on_the_login_page_and_after_the_login(
    browser: httpx.AsyncClient, hostile: str
) -> None:
    login_page = await browser.get(f"/login?next={hostile}")
    link = DEV_LINK.search(login_page.text)
    assert link and html.unescape(link.group(1)) == "/login/dev"

    started = await browser.get(f"/login/dev?next={hostile}")
    chosen = await choose_persona(browser, started.headers["location"], "erika")
    callback = await browser.get(_path(chosen.headers["location"]))
    assert callback.status_code == 303
    assert callback.headers["location"] == "/antraege"
