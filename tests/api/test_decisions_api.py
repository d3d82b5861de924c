"""POST and GET /api/v1/rooms/{id}/decisions: the case store's decisions and their evidence."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import pytest

from rooms.kernel.tables import Attachment, Decision, OutboxEvent, Room
from tests import builders
from tests.cast import ERIKA
from tests.login import login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUMMARY = "Ihr Antrag auf Wohngeld wird bewilligt."


def body(content: bytes = PDF, name: str = "bescheid.pdf", summary: str = SUMMARY) -> dict:
    return {
        "summary": summary,
        "document": {"name": name, "content_base64": base64.b64encode(content).decode()},
    }


async def auth(authority: str = "demo-stadt") -> dict[str, str]:
    _, token = await builders.client(authority)
    return {"Authorization": f"Bearer {token}"}


async def test_post_a_decision_then_read_its_evidence(app, http) -> None:
    result = await builders.room(ERIKA)
    headers = await auth()
    url = f"/api/v1/rooms/{result.room.id}/decisions"
    created = await http.post(url, json=body(), headers=headers)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["summary"] == SUMMARY and out["source"] == "api"
    assert out["seq"] == result.room.last_seq + 1
    assert out["document"] == {
        "id": out["document"]["id"],
        "name": "bescheid.pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "scan_state": "pending",
    }
    assert out["made_available_at"] is None and out["delivery_state"] == "scanning"
    room = await Room.select(Room.progress).where(Room.id == result.room.id).first()
    assert room is not None and room["progress"] == "decided"

    # The app's scan worker (the real clamd) makes it available.
    async with asyncio.timeout(10):
        while True:
            [listed] = (await http.get(url, headers=headers)).json()["decisions"]
            if listed["made_available_at"] is not None:
                break
            await asyncio.sleep(0.05)
    assert listed["delivery_state"] == "awaiting" and listed["first_retrieved_at"] is None
    async with in_process(app) as erika:
        await login(erika, "erika")
        got = await erika.get(f"/rooms/{result.room.id}/attachments/{out['document']['id']}")
        assert got.status_code == 200 and got.content == PDF

    [listed] = (await http.get(url, headers=headers)).json()["decisions"]
    assert listed["delivery_state"] == "retrieved"
    assert listed["first_retrieved_by_role"] == "applicant"
    assert listed["first_retrieved_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed["retrieval_deadline"] is not None and listed["announced_on"] is not None
    assert "Erika" not in str(listed)  # the role, not who
    feed = await http.get("/api/v1/events", headers=headers)
    types = [e["type"] for e in feed.json()["events"]]
    assert "decision.made_available" in types and "decision.retrieved" in types


async def test_not_a_pdf_is_422_naming_what_was_found(http) -> None:
    result = await builders.room(ERIKA)
    url = f"/api/v1/rooms/{result.room.id}/decisions"
    headers = await auth()
    html = await http.post(url, json=body(b"<!doctype html><p>x"), headers=headers)
    assert html.status_code == 422
    assert html.headers["content-type"].startswith("application/problem+json")
    assert "must be a PDF, but is html content" in html.json()["detail"]
    assert html.json()["errors"] == [
        {"field": "document", "message": "must be a PDF, but is html content"}
    ]
    not_base64 = body()
    not_base64["document"]["content_base64"] = "kein base64!"
    bad = await http.post(url, json=not_base64, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "document.content_base64"
    empty = await http.post(url, json=body(summary="   "), headers=headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "summary"
    assert await Decision.count() == 0 and await Attachment.count() == 0


async def test_closed_is_409_and_foreign_is_404(http) -> None:
    closed = await builders.room(ERIKA, closed=True)
    response = await http.post(
        f"/api/v1/rooms/{closed.room.id}/decisions", json=body(), headers=await auth()
    )
    assert response.status_code == 409 and "closed" in response.json()["title"].lower()

    result = await builders.room(ERIKA)
    kreis = await auth("demo-kreis")
    url = f"/api/v1/rooms/{result.room.id}/decisions"
    assert (await http.post(url, json=body(), headers=kreis)).status_code == 404
    assert (await http.get(url, headers=kreis)).status_code == 404
    assert (await http.get(url)).status_code == 401
    assert await Decision.count() == 0
    assert await OutboxEvent.count().where(OutboxEvent.type.like("decision.%")) == 0


async def test_a_body_over_the_document_limit_is_refused_before_it_is_read(http) -> None:
    result = await builders.room(ERIKA)
    url = f"/api/v1/rooms/{result.room.id}/decisions"
    headers = {**await auth(), "content-type": "application/json"}
    huge = await http.post(url, content=b" " * (40 * 1024 * 1024), headers=headers)
    assert huge.status_code == 413
    assert await Decision.count() == 0
