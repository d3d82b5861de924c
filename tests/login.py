"""Log a test client in through the development identity provider, as a browser would."""

from __future__ import annotations

import html
import re

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_inputs(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def _path(url: str) -> str:
    parts = httpx.URL(url)
    return parts.raw_path.decode()


async def authorize_url(client: httpx.AsyncClient, provider: str = "dev", query: str = "") -> str:
    response = await client.get(f"/login/{provider}{query}")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def choose_persona(client: httpx.AsyncClient, url: str, persona: str) -> httpx.Response:
    """Open the development IdP's persona page and pick ``persona``."""
    page = await client.get(_path(url))
    assert page.status_code == 200, page.text
    form = {**hidden_inputs(page.text), "persona": persona}
    return await client.post("/dev-idp/authorize", data=form)


async def login(client: httpx.AsyncClient, persona: str, query: str = "") -> httpx.Response:
    """A full login through the development IdP; returns the callback's response."""
    chosen = await choose_persona(client, await authorize_url(client, query=query), persona)
    assert chosen.status_code == 303, chosen.text
    callback = await client.get(_path(chosen.headers["location"]))
    if callback.status_code == 303 and callback.headers["location"].startswith("/"):
        # A browser follows the redirect: that page issues the CSRF token bound to the
        # session the login rotated to (the one from before login is void).
        await client.get(callback.headers["location"])
    return callback


def csrf(client: httpx.AsyncClient) -> str:
    token = client.cookies.get("antragsraum_csrf")
    assert token, "no CSRF cookie yet: GET a page first"
    return token
