"""Log a test client in through the development identity provider, as a browser would."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def login(http: httpx.AsyncClient, persona: str, next_path: str = "") -> httpx.Response:
    """Walk the whole authorization-code flow; return the final redirect response."""
    start = await http.get("/login/dev", params={"next": next_path} if next_path else None)
    assert start.status_code in (302, 303), start.text
    page = await http.get(_path(start.headers["location"]))
    assert page.status_code == 200, page.text
    form = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    form["persona"] = persona
    chosen = await http.post("/dev-idp/authorize", data=form)
    assert chosen.status_code in (302, 303), chosen.text
    done = await http.get(_path(chosen.headers["location"]))
    assert done.status_code == 303, done.text
    return done


def csrf(http: httpx.AsyncClient) -> str:
    token = http.cookies.get("antragsraum_csrf")
    assert token, "no CSRF cookie yet: GET a page first"
    return token
