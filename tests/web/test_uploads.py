"""Uploads end to end: streamed, checked, stored, scanned by the real clamd, downloaded."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from app.settings import UploadSettings
from rooms.kernel.tables import Attachment, AuditEvent
from tests import builders
from tests.cast import ERIKA, JONAS
from tests.conftest import make_settings
from tests.login import csrf, login
from tests.scanning.conftest import eicar  # built from parts, never stored as a file
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(http: httpx.AsyncClient, room_id, files, **params):  # type: ignore[no-untyped-def]
    return await http.post(
        f"/rooms/{room_id}/uploads",
        params=params,
        data={"_csrf_token": csrf(http)},
        files=[("file", f) for f in files],
    )


async def wait_for_verdict(attachment_id: object) -> str:
    async with asyncio.timeout(10):
        while True:
            row = (
                await Attachment.select(Attachment.scan_state)
                .where(Attachment.id == attachment_id)
                .first()
            )
            if row and row["scan_state"] != "pending":
                return str(row["scan_state"])
            await asyncio.sleep(0.05)


async def test_a_clean_pdf_is_quarantined_then_scanned_and_downloadable(app, http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await upload(http, result.room.id, [("Gehalt März.pdf", PDF, "application/pdf")])
    assert response.status_code == 303, response.text
    [row] = await Attachment.select()
    assert row["sha256"] and row["size"] == len(PDF) and row["name"] == "Gehalt März.pdf"
    assert await wait_for_verdict(row["id"]) == "clean"
    page = await http.get(f"/rooms/{result.room.id}")
    link = re.search(r'href="(/rooms/[^"]+/attachments/[^"]+)"', page.text)
    assert link
    download = await http.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Gehalt%20M%C3%A4rz.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"].startswith("sandbox")

    async with in_process(app) as jonas:
        await login(jonas, "jonas")
        assert (await jonas.get(link.group(1))).status_code == 404


async def test_eicar_is_caught_and_kept_from_everyone(app, http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await upload(http, result.room.id, [("notiz.txt", eicar(), "text/plain")])
    assert response.status_code == 303, response.text
    [row] = await Attachment.select()
    assert await wait_for_verdict(row["id"]) == "infected"
    blocked = await http.get(f"/rooms/{result.room.id}/attachments/{row['id']}")
    assert blocked.status_code == 409
    assert eicar().decode() not in blocked.text
    page = await http.get(f"/rooms/{result.room.id}")
    assert "gesperrt: Schadsoftware gefunden" in page.text
    assert await AuditEvent.count().where(AuditEvent.outcome == "infected") == 1


async def test_a_png_that_is_really_html_is_refused_with_what_was_found(http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    fake = b"<!doctype html><script>alert(1)</script>"
    response = await upload(http, result.room.id, [("bild.png", fake, "image/png")])
    assert response.status_code == 422
    assert "gefunden wurde „html“" in response.text
    assert await Attachment.count() == 0


async def test_csrf_and_the_access_gate_come_before_the_body(http) -> None:
    result = await builders.room(ERIKA)
    foreign = await builders.room(JONAS)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    no_token = await http.post(
        f"/rooms/{result.room.id}/uploads", files=[("file", ("a.pdf", PDF, "application/pdf"))]
    )
    assert no_token.status_code == 403
    outsider = await upload(http, foreign.room.id, [("a.pdf", PDF, "application/pdf")])
    assert outsider.status_code == 404
    assert await Attachment.count() == 0


async def test_over_the_limit_is_413_and_leaves_no_temporary_file(database, tmp_path) -> None:
    from app import create_app

    settings = make_settings(tmp_path, uploads=UploadSettings(max_file_mb=1))
    application = create_app(settings, engine=database)
    result = await builders.room(ERIKA)
    async with running(application), in_process(application) as http:
        await login(http, "erika")
        await http.get(f"/rooms/{result.room.id}")
        big = PDF + b"0" * (2 * 1024 * 1024)
        response = await upload(http, result.room.id, [("gross.pdf", big, "application/pdf")])
        assert response.status_code == 413
        assert "zu groß" in response.text
    assert await Attachment.count() == 0
    assert list((tmp_path / "var" / "tmp" / "uploads").iterdir()) == []


async def test_a_foreign_request_item_stores_nothing(app, http, tmp_path) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await upload(
        http, result.room.id, [("a.pdf", PDF, "application/pdf")], item="not-an-item"
    )
    assert response.status_code == 404
    assert await Attachment.count() == 0
    stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert stored == []
