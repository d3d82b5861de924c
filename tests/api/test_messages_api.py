"""Posting as the authority through the API, with files checked like browser uploads."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid

import httpx
import pytest

from app import create_app
from app.settings import UploadSettings
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.events import decode
from rooms.kernel.tables import Attachment, Message, OutboxEvent
from tests import builders
from tests.cast import ERIKA
from tests.conftest import BASE_URL, make_settings
from tests.servers import running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_AS_PNG = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def setup_room(authority: str = "demo-stadt") -> tuple[str, dict[str, str]]:
    _, token = await builders.client(authority)
    result = await builders.room(ERIKA, authority_slug=authority)
    return str(result.room.id), {"Authorization": f"Bearer {token}"}


async def test_the_authority_posts_a_message_that_the_timeline_shows(http) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={"body": "Bitte senden Sie den Mietvertrag."},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    posted = response.json()
    assert posted["seq"] == 2 and posted["attachments"] == []
    items = (await http.get(f"/api/v1/rooms/{room_id}/messages", headers=headers)).json()["items"]
    item = items[-1]
    assert (item["side"], item["body"], item["author_name"]) == (
        "authority",
        "Bitte senden Sie den Mietvertrag.",
        "Behörde demo-stadt",
    )
    row = await Message.select(Message.author).where(Message.seq == 2).first()
    assert row["author"] is None
    assert await OutboxEvent.count().where(OutboxEvent.type == "timeline.item_added") == 2


async def test_a_pdf_is_accepted_and_waits_for_the_scan(http) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={
            "body": "Ihr Bescheid",
            "attachments": [{"name": "bescheid.pdf", "content_base64": b64(PDF)}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    [file] = response.json()["attachments"]
    assert file["mime"] == "application/pdf"
    assert file["scan_state"] == "pending"
    assert file["size"] == len(PDF)
    assert file["sha256"] == hashlib.sha256(PDF).hexdigest()
    url = f"/api/v1/rooms/{room_id}/attachments/{file['id']}"
    pending = await http.get(url, headers=headers)
    assert pending.status_code == 409
    assert pending.headers["content-type"].startswith("application/problem+json")
    await do_record_verdict(uuid.UUID(file["id"]), clean=True)
    clean = await http.get(url, headers=headers)
    assert clean.status_code == 200
    assert clean.content == PDF
    assert clean.headers["x-content-type-options"] == "nosniff"
    assert clean.headers["content-disposition"].startswith("attachment")
    items = (await http.get(f"/api/v1/rooms/{room_id}/messages", headers=headers)).json()["items"]
    assert items[-1]["attachments"][0]["scan_state"] == "clean"


async def test_another_authoritys_client_cannot_download(http) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={"body": "Anlage", "attachments": [{"name": "a.pdf", "content_base64": b64(PDF)}]},
        headers=headers,
    )
    file_id = response.json()["attachments"][0]["id"]
    await do_record_verdict(uuid.UUID(file_id), clean=True)
    _, other = await builders.client("demo-kreis")
    foreign = await http.get(
        f"/api/v1/rooms/{room_id}/attachments/{file_id}",
        headers={"Authorization": f"Bearer {other}"},
    )
    missing = await http.get(f"/api/v1/rooms/{room_id}/attachments/{uuid.uuid4()}", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


async def test_a_png_that_is_html_is_refused_naming_what_was_found(http) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={
            "body": "Foto",
            "attachments": [
                {"name": "ok.pdf", "content_base64": b64(PDF)},
                {"name": "foto.png", "content_base64": b64(HTML_AS_PNG)},
            ],
        },
        headers=headers,
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "attachments[1]"
    assert "html" in error["message"]
    assert await Message.count() == 1  # only the intake's
    assert await Attachment.count() == 0


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ([{"name": "x.pdf", "content_base64": "not base64!"}], "attachments[0].content_base64"),
        ([{"name": "x.txt", "content_base64": b64(b"hallo")}] * 11, "attachments"),
    ],
)
async def test_bad_attachments_are_422(http, files, field) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={"body": "Anlagen", "attachments": files},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await Attachment.count() == 0


async def test_too_many_files_are_judged_only_after_the_gate(http) -> None:
    """Another authority's room (or a closed one) answers as the gate does, however many
    files come with the message: a 422 would be judged before the gate."""
    room_id, headers = await setup_room()
    too_many = [{"name": "x.pdf", "content_base64": b64(PDF)}] * 11
    _, other = await builders.client("demo-kreis")
    for room, token in (
        (room_id, {"Authorization": f"Bearer {other}"}),
        (str(uuid.uuid4()), headers),
    ):
        response = await http.post(
            f"/api/v1/rooms/{room}/messages",
            json={"body": "Anlagen", "attachments": too_many},
            headers=token,
        )
        assert response.status_code == 404, response.text
    await http.post(f"/api/v1/rooms/{room_id}/close", headers=headers)
    closed = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={"body": "Anlagen", "attachments": too_many},
        headers=headers,
    )
    assert closed.status_code == 409, closed.text
    assert await Attachment.count() == 0


async def test_an_oversized_file_is_refused_with_413(database, tmp_path) -> None:
    settings = make_settings(tmp_path, uploads=UploadSettings(max_file_mb=1))
    app = create_app(settings, engine=database)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        room_id, headers = await setup_room()
        big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
        response = await http.post(
            f"/api/v1/rooms/{room_id}/messages",
            json={
                "body": "Zu groß",
                "attachments": [{"name": "big.pdf", "content_base64": b64(big)}],
            },
            headers=headers,
        )
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        # The whole body over the limit is refused before it is parsed.
        huge = await http.post(
            f"/api/v1/rooms/{room_id}/messages",
            content=b"x" * (20 * 1024 * 1024),
            headers={**headers, "content-type": "application/json"},
        )
        assert huge.status_code == 413
    assert await Attachment.count() == 0
    assert not list((tmp_path / "files").rglob("*-*"))


async def test_an_open_room_page_hears_the_api_message(app, http) -> None:
    from litestar.channels import ChannelsPlugin

    from rooms.kernel.events import channel_for

    room_id, headers = await setup_room()
    channels = app.plugins.get(ChannelsPlugin)
    async with channels.start_subscription([channel_for(uuid.UUID(room_id))]) as subscriber:
        response = await http.post(
            f"/api/v1/rooms/{room_id}/messages", json={"body": "Live"}, headers=headers
        )
        assert response.status_code == 201
        async with asyncio.timeout(5):
            async for raw in subscriber.iter_events():
                nudge = decode(raw)
                break
    assert nudge.seq == response.json()["seq"]


async def test_reading_after_the_largest_sequence_number_is_an_empty_page(http) -> None:
    room_id, headers = await setup_room()
    for after, limit in ((2**31 - 1, 100), (2**31 - 50, 200)):
        response = await http.get(
            f"/api/v1/rooms/{room_id}/messages",
            params={"after": after, "limit": limit},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next_after": after}
