"""Audit events name the client address of the request behind them; a worker's, none.

Served by uvicorn as `antragsraum serve` runs it: the address is the one the
staff-network check uses (X-Forwarded-For only from a named proxy).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLIENT = "203.0.113.9"  # what the named proxy says the client is; the peer is 127.0.0.1


async def sources(action: str) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.source).where(AuditEvent.action == action)
    return [row["source"] for row in rows]


async def scanned() -> list[str]:
    """The scan worker's events, once it has recorded one (the real clamd)."""
    async with asyncio.timeout(10):
        while True:
            found = await sources("attachment_scanned")
            if found:
                return found
            await asyncio.sleep(0.05)


async def test_a_login_and_a_message_name_the_client_and_the_scanner_none(
    database, tmp_path
) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    async with (
        serving(database, tmp_path, trusted_proxies=["127.0.0.0/8"]) as base_url,
        httpx.AsyncClient(base_url=base_url, headers={"x-forwarded-for": CLIENT}) as browser,
    ):
        await login(browser, "erika")
        await browser.get(room)
        posted = await browser.post(
            f"{room}/messages", data={"body": "Seit dem 1. März.", "_csrf_token": csrf(browser)}
        )
        assert posted.status_code == 303
        uploaded = await browser.post(
            f"{room}/uploads",
            headers={"HX-Request": "true", "x-csrftoken": csrf(browser)},
            files=[("file", ("Gehalt.pdf", PDF, "application/pdf"))],
        )
        assert uploaded.status_code == 204, uploaded.text
        assert await scanned() == [""]
    assert await sources("login") == [CLIENT]
    assert await sources("message_posted") == [CLIENT]
    assert await sources("attachments_uploaded") == [CLIENT]


async def test_without_a_named_proxy_the_peer_is_the_source(database, tmp_path) -> None:
    async with (
        serving(database, tmp_path) as base_url,
        httpx.AsyncClient(base_url=base_url, headers={"x-forwarded-for": CLIENT}) as browser,
    ):
        await login(browser, "erika")
    assert await sources("login") == ["127.0.0.1"]
