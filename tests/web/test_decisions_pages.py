"""Decisions through the pages: the caseworker's form, the evidence, the applicant's download."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest

from app.live import View, render_items
from app.web.decisions import track_retrieval
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import check_issue_decision, decisions_in
from rooms.casework.timeline import timeline
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.access import access_room
from rooms.kernel.tables import Attachment, Decision, OutboxEvent
from tests import builders
from tests.cast import ERIKA, SABINE
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUMMARY = "Ihr Antrag auf Wohngeld wird bewilligt: 312 Euro monatlich."


async def issue(
    client: httpx.AsyncClient,
    room_id: object,
    *,
    summary: str = SUMMARY,
    document: tuple[str, bytes, str] = ("Bescheid Wohngeld.pdf", PDF, "application/pdf"),
    htmx: bool = False,
) -> httpx.Response:
    headers = {"HX-Request": "true", "x-csrftoken": csrf(client)} if htmx else {}
    return await client.post(
        f"/rooms/{room_id}/decisions",
        headers=headers,
        data={"_csrf_token": csrf(client), "summary": summary},
        files=[("document", document)],
    )


async def made_available() -> None:
    """Wait for the app's scan worker (the real clamd) to call the document clean."""
    async with asyncio.timeout(10):
        while True:
            row = await Decision.select(Decision.made_available_at).first()
            if row and row["made_available_at"] is not None:
                return
            await asyncio.sleep(0.05)


async def test_issue_without_javascript_then_evidence_of_the_retrieval(app) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    async with in_process(app) as sabine, in_process(app) as erika:
        await login(sabine, "sabine")
        page = await sabine.get(room)
        assert 'id="decision-form"' in page.text
        response = await issue(sabine, result.room.id)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{room}#item-{result.room.last_seq + 1}"
        await made_available()

        evidence = (await sabine.get(room)).text
        assert "Bereitgestellt am" in evidence and "Abruffrist bis" in evidence
        assert "Noch nicht abgerufen." in evidence
        assert SUMMARY in evidence
        link = re.search(r'href="(/rooms/[^"]+/attachments/[^"]+)"', evidence)
        assert link
        # The caseworker's own download is no retrieval.
        own = await sabine.get(link.group(1))
        assert own.status_code == 200 and own.content == PDF
        row = await Decision.select(Decision.first_retrieved_at).first()
        assert row is not None and row["first_retrieved_at"] is None

        await login(erika, "erika")
        mine = (await erika.get(room)).text
        assert "Dies ist Ihr Bescheid." in mine
        assert link.group(1) in mine
        assert "Abruffrist bis" not in mine and 'id="decision-form"' not in mine
        download = await erika.get(link.group(1))
        assert download.status_code == 200 and download.content == PDF
        again = await erika.get(link.group(1))
        assert again.status_code == 200

        [decision] = await Decision.select()
        assert decision["first_retrieved_sha256"] == hashlib.sha256(PDF).hexdigest()
        assert await OutboxEvent.count().where(OutboxEvent.type == "decision.retrieved") == 1
        shown = (await sabine.get(room)).text
        assert "Erstmals abgerufen am" in shown and ERIKA.name in shown
        assert hashlib.sha256(PDF).hexdigest() in shown
        assert "Gilt als bekannt gegeben am" in shown


async def test_errors_keep_the_summary_with_and_without_htmx(app) -> None:
    result = await builders.room(ERIKA)
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{result.room.id}")
        html = ("bescheid.pdf", b"<!doctype html><script>alert(1)</script>", "application/pdf")
        page = await issue(sabine, result.room.id, summary="Abgelehnt, weil …", document=html)
        assert page.status_code == 422
        assert "Der Bescheid muss ein PDF sein: gefunden wurde „html“." in page.text
        assert "Abgelehnt, weil …" in page.text and "<html" in page.text  # the whole page

        fragment = await issue(sabine, result.room.id, summary="", htmx=True)
        assert fragment.status_code == 422
        assert "Bitte geben Sie eine Zusammenfassung ein." in fragment.text
        assert fragment.text.lstrip().startswith('<details class="decision-form"')

        docx = ("bescheid.docx", b"PK\x03\x04" + b"\x00" * 40, "application/octet-stream")
        kept = await issue(sabine, result.room.id, summary="Teilweise bewilligt", document=docx)
        assert kept.status_code == 422 and "Teilweise bewilligt" in kept.text
        assert await Decision.count() == 0 and await Attachment.count() == 0

        done = await issue(sabine, result.room.id, htmx=True)
        assert done.status_code == 200
        assert 'id="decision-status"' in done.text
        assert await Decision.count() == 1


async def test_only_the_authoritys_caseworkers_issue_decisions(app) -> None:
    result = await builders.room(ERIKA)
    await builders.authority("demo-kreis", "Landkreis Demo")
    async with in_process(app) as client:
        await login(client, "erika")
        await client.get(f"/rooms/{result.room.id}")
        # Staff only: the applicant side gets the same 404 as outsiders, as on every
        # staff-only route (it answered 403 before, the only route that did).
        assert (await issue(client, result.room.id)).status_code == 404
        no_token = await client.post(
            f"/rooms/{result.room.id}/decisions",
            data={"summary": SUMMARY},
            files=[("document", ("b.pdf", PDF, "application/pdf"))],
        )
        # The gate reads no body and comes first; a form's token is its first part.
        assert no_token.status_code == 404
    for outsider in ("otto", "jonas"):
        async with in_process(app) as client:
            await login(client, outsider)
            await client.get("/")
            assert (await issue(client, result.room.id)).status_code == 404
    assert await Decision.count() == 0


async def test_a_closed_room_takes_no_decision(app) -> None:
    result = await builders.room(ERIKA, closed=True)
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        page = await sabine.get(f"/rooms/{result.room.id}")
        assert 'id="decision-form"' not in page.text
        assert (await issue(sabine, result.room.id)).status_code == 409
    assert await Decision.count() == 0


async def test_live_fragments_show_a_decision_as_the_page_does(app) -> None:
    """The socket renders items through the same templates and context (app.live)."""
    result = await builders.room(ERIKA)
    stored = StoredFile("rooms/t/live-decision", "bescheid.pdf", "application/pdf", 10, "0" * 64)
    await check_issue_decision(SABINE, result.room.id, SUMMARY, stored)
    [row] = await Attachment.select(Attachment.id)
    await do_record_verdict(row["id"], clean=True)
    socket = SimpleNamespace(app=app)
    for viewer, seen, unseen in (
        (SABINE, "Abruffrist bis", "Dies ist Ihr Bescheid."),
        (ERIKA, "Dies ist Ihr Bescheid.", "Abruffrist bis"),
    ):
        access = await access_room(viewer, result.room.id)
        view = View(viewer, csrf="token")
        html = await render_items(socket, view, access, await timeline(access))  # type: ignore[arg-type]
        assert "timeline-item--decision" in html and SUMMARY in html
        assert f"/attachments/{row['id']}" in html
        assert seen in html and unseen not in html


async def test_only_a_complete_download_is_the_first_retrieval(app) -> None:
    """A download that stops half-way records nothing; the next complete one is recorded."""
    result = await builders.room(ERIKA)
    stored = StoredFile("rooms/t/partial", "bescheid.pdf", "application/pdf", len(PDF), "0" * 64)
    await check_issue_decision(SABINE, result.room.id, SUMMARY, stored)
    [row] = await Attachment.select(Attachment.id)
    await do_record_verdict(row["id"], clean=True)
    [decision] = await decisions_in(result.room.id)

    async def chunks() -> AsyncIterator[bytes]:
        yield PDF[:10]
        yield PDF[10:]

    broken_off = await track_retrieval(ERIKA, decision.document, chunks())
    assert await anext(broken_off) == PDF[:10]
    await broken_off.aclose()  # the client went away
    [after] = await decisions_in(result.room.id)
    assert after.first_retrieved_at is None
    assert await OutboxEvent.count().where(OutboxEvent.type == "decision.retrieved") == 0

    staff = await track_retrieval(SABINE, decision.document, chunks())
    assert b"".join([c async for c in staff]) == PDF
    [after] = await decisions_in(result.room.id)
    assert after.first_retrieved_at is None  # a caseworker's download never counts

    complete = await track_retrieval(ERIKA, decision.document, chunks())
    assert b"".join([c async for c in complete]) == PDF
    [after] = await decisions_in(result.room.id)
    assert after.first_retrieved_at is not None
    assert after.first_retrieved_sha256 == hashlib.sha256(PDF).hexdigest()
    assert await OutboxEvent.count().where(OutboxEvent.type == "decision.retrieved") == 1
