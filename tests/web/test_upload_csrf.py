"""The page uploads' CSRF token is never in a URL: a header, or the form's FIRST field.

Served by uvicorn. A plain form sends the token as its first part, which is checked
before any file part is taken; a body that starts otherwise is refused with 403
while the rest of it has not even been sent.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from rooms.kernel.tables import Attachment
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE = ("file", ("Nachweis.pdf", PDF, "application/pdf"))
BOUNDARY = "antragsraum-test-boundary"


def field_part(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def file_head() -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="Nachweis.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF


async def half_sent(base_url: str, path: str, cookies: httpx.Cookies, start: bytes) -> bytes:
    """POST a body that claims 10 MB, send only ``start``, and read the answer."""
    url = httpx.URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nCookie: {cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + start)
    await writer.drain()
    try:
        async with asyncio.timeout(5):  # the answer comes while the rest is unsent
            return await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()


async def test_the_token_travels_as_the_first_field_and_never_in_the_url(
    database, tmp_path
) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    async with (
        serving(database, tmp_path) as base_url,
        httpx.AsyncClient(base_url=base_url) as browser,
    ):
        await login(browser, "erika")
        page = (await browser.get(room)).text
        form = re.search(r'<form class="upload-form[^>]*>\s*(<input[^>]*>)', page)
        assert form, "the upload form starts with its token field"
        assert 'name="_csrf_token"' in form.group(1) and "csrf=" not in form.group(0)
        token = csrf(browser)

        in_url = await browser.post(
            f"{room}/uploads", params={"csrf": token}, data={"_csrf_token": token}, files=[FILE]
        )
        assert in_url.status_code == 403
        assert (await browser.post(f"{room}/uploads", files=[FILE])).status_code == 403

        # A file before the token: refused as the file part begins, nothing stored.
        answer = await half_sent(
            base_url, f"{room}/uploads", browser.cookies, file_head() + b"\0" * 65536
        )
        assert answer.startswith(b"HTTP/1.1 403")
        # A first field that is not a valid token: refused without reading on.
        answer = await half_sent(
            base_url,
            f"{room}/uploads",
            browser.cookies,
            field_part("_csrf_token", token + "x") + file_head(),
        )
        assert answer.startswith(b"HTTP/1.1 403")
        assert await Attachment.count() == 0
        assert list((tmp_path / "var" / "tmp" / "uploads").iterdir()) == []

        plain = await browser.post(f"{room}/uploads", data={"_csrf_token": token}, files=[FILE])
        assert plain.status_code == 303, plain.text
        htmx = await browser.post(
            f"{room}/uploads", headers={"HX-Request": "true", "x-csrftoken": token}, files=[FILE]
        )
        assert htmx.status_code == 204, htmx.text
    assert await Attachment.count() == 2
