"""Files through the machine API as streamed multipart/form-data, and the base64 limit.

The same pipeline as the browser uploads (``app.files.accept``): the same limits, the
same type checks and refusals; base64 in JSON stays for small files (5 MB together).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from app import create_app
from app.api.idempotency_records import claim
from app.settings import UploadSettings
from rooms.kernel.tables import Attachment, Decision, IdempotencyRecord, Message
from tests import builders
from tests.api.test_messages_api import setup_room
from tests.cast import ERIKA
from tests.conftest import BASE_URL, make_settings
from tests.login import csrf, login
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024
SUMMARY = "Ihr Antrag auf Wohngeld wird bewilligt."
OCTETS = "application/octet-stream"  # what browsers send for a type they do not know


def pdf_of(size: int) -> bytes:
    """A PDF (by its header) of ``size`` bytes: what rooms.files.filetypes accepts as one."""
    return PDF + b"0" * (size - len(PDF))


def leftovers(tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    """Temporary upload files and stored files: none may stay after a refusal."""
    temp = [p.name for p in (tmp_path / "var" / "tmp" / "uploads").glob("*")]
    stored = [str(p) for p in (tmp_path / "files").rglob("*") if p.is_file()]
    return temp + stored


async def test_a_message_with_two_files(http, tmp_path) -> None:
    room_id, headers = await setup_room()
    text = b"Einkommensnachweis 2026\n"
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        data={"body": "Ihre Unterlagen"},
        files=[
            ("attachments", ("bescheid.pdf", PDF, "application/pdf")),
            ("attachments", ("notiz.txt", text, "text/plain")),
        ],
        headers=headers,
    )
    assert response.status_code == 201, response.text
    posted = response.json()
    assert [(f["name"], f["mime"], f["size"], f["sha256"]) for f in posted["attachments"]] == [
        ("bescheid.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        ("notiz.txt", "text/plain", len(text), hashlib.sha256(text).hexdigest()),
    ]
    assert {f["scan_state"] for f in posted["attachments"]} == {"pending"}
    items = (await http.get(f"/api/v1/rooms/{room_id}/messages", headers=headers)).json()["items"]
    assert items[-1]["body"] == "Ihre Unterlagen" and len(items[-1]["attachments"]) == 2
    assert await Attachment.count() == 2
    assert list((tmp_path / "var" / "tmp" / "uploads").iterdir()) == []


async def test_a_decision_as_multipart(http) -> None:
    result = await builders.room(ERIKA)
    _, token = await builders.client()
    response = await http.post(
        f"/api/v1/rooms/{result.room.id}/decisions",
        data={"summary": SUMMARY},
        files=[("document", ("bescheid.pdf", PDF, "application/pdf"))],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["summary"] == SUMMARY and out["source"] == "api"
    assert out["document"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert out["document"]["size"] == len(PDF)
    assert await Decision.count() == 1


async def test_a_decision_that_is_not_a_pdf_is_refused_as_in_json(http) -> None:
    result = await builders.room(ERIKA)
    _, token = await builders.client()
    url = f"/api/v1/rooms/{result.room.id}/decisions"
    headers = {"Authorization": f"Bearer {token}"}
    html = b"<!doctype html><p>x"
    form = await http.post(
        url,
        data={"summary": SUMMARY},
        files=[("document", ("bescheid.pdf", html, "application/pdf"))],
        headers=headers,
    )
    encoded = base64.b64encode(html).decode()
    document = {"name": "bescheid.pdf", "content_base64": encoded}
    json = await http.post(url, json={"summary": SUMMARY, "document": document}, headers=headers)
    assert form.status_code == json.status_code == 422
    assert form.json() == json.json()
    assert "must be a PDF, but is html content" in form.json()["detail"]
    both = await http.post(
        url,
        data={"summary": "  "},
        files=[("document", ("bescheid.pdf", html, "application/pdf"))],
        headers=headers,
    )
    assert both.status_code == 422  # the form's errors come together
    assert {e["field"] for e in both.json()["errors"]} == {"summary", "document"}
    assert await Decision.count() == 0 and await Attachment.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("programm.exe", b"MZ\x90\x00" + b"\x00" * 60, "exe"),
        ("daten", bytes(range(256)) * 4, "unknown"),
    ],
)
async def test_a_forbidden_type_is_refused_with_the_browsers_reason(
    app, http, name, content, kind
) -> None:
    room_id, headers = await setup_room()
    url = f"/api/v1/rooms/{room_id}/messages"
    form = await http.post(
        url,
        data={"body": "Anlage"},
        files=[("attachments", (name, content, OCTETS))],
        headers=headers,
    )
    encoded = base64.b64encode(content).decode()
    attachments = [{"name": name, "content_base64": encoded}]
    json = await http.post(
        url, json={"body": "Anlage", "attachments": attachments}, headers=headers
    )
    assert form.status_code == json.status_code == 422, form.text
    assert form.json() == json.json()
    [error] = form.json()["errors"]
    assert error == {
        "field": "attachments[0]",
        "message": f"is {kind} content, which is not an accepted file type",
    }
    async with in_process(app) as browser:  # the same refusal, in the page's words
        await login(browser, "erika")
        await browser.get(f"/rooms/{room_id}")
        page = await browser.post(
            f"/rooms/{room_id}/uploads",
            data={"_csrf_token": csrf(browser)},
            files=[("file", (name, content, OCTETS))],
        )
        assert page.status_code == 422
        assert f"Diese Dateiart ist nicht erlaubt: gefunden wurde „{kind}“." in page.text
    assert await Attachment.count() == 0


async def test_over_the_per_file_limit_is_413_at_once_and_leaves_nothing(
    database, tmp_path
) -> None:
    app = create_app(
        make_settings(tmp_path, uploads=UploadSettings(max_file_mb=1)), engine=database
    )
    sent = 0
    boundary = "limitboundary42"

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nGroß\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="gross.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        yield PDF
        for _ in range(64):  # 4 MiB, more than the limit of 1 MiB
            sent += 64 * 1024
            yield b"0" * (64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        room_id, headers = await setup_room()
        response = await http.post(
            f"/api/v1/rooms/{room_id}/messages",
            content=body(),
            headers={**headers, "content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "attachments[0] is larger than 1 MB."
        assert sent < 2 * MB  # refused as soon as the file crossed its limit
        decision = await http.post(
            f"/api/v1/rooms/{room_id}/decisions",
            data={"summary": SUMMARY},
            files=[("document", ("bescheid.pdf", pdf_of(MB + 1), "application/pdf"))],
            headers=headers,
        )
        assert decision.status_code == 413
        assert decision.json()["detail"] == "document is larger than 1 MB."
    assert await Attachment.count() == 0 and await Decision.count() == 0
    assert leftovers(tmp_path) == []


async def test_too_many_files_and_the_rooms_limit_are_422_as_in_json(database, tmp_path) -> None:
    uploads = UploadSettings(max_file_mb=2, max_room_mb=1, max_files=2)
    app = create_app(make_settings(tmp_path, uploads=uploads), engine=database)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        room_id, headers = await setup_room()
        url = f"/api/v1/rooms/{room_id}/messages"
        three = [("attachments", (f"{n}.pdf", PDF, "application/pdf")) for n in range(3)]
        many = await http.post(url, data={"body": "x"}, files=three, headers=headers)
        assert many.status_code == 422, many.text
        assert many.json()["errors"] == [
            {"field": "attachments", "message": "has more files than allowed"}
        ]
        big = [("attachments", ("gross.pdf", pdf_of(MB + MB // 2), "application/pdf"))]
        full = await http.post(url, data={"body": "x"}, files=big, headers=headers)
        assert full.status_code == 422, full.text
        assert full.json()["errors"] == [
            {"field": "attachments", "message": "would exceed the room's storage limit"}
        ]
    assert await Attachment.count() == 0
    assert leftovers(tmp_path) == []


def encode_form(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], boundary: str = "fb"
) -> tuple[bytes, str]:
    """A multipart body and its content type, part by part as given."""
    out = b""
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, filename, content in files:
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("fields", "files", "errors"),
    [
        ([], [("attachments", "a.pdf", PDF)], {"body": "must not be empty"}),
        ([("body", "x"), ("anlage", "y")], [], {"anlage": "is not a field of this form"}),
        (
            [("body", "x"), ("attachments", "kein Datei-Teil")],
            [],
            {"attachments": "must be sent as a file part, with a filename"},
        ),
        ([("body", "x")], [("file", "a.pdf", PDF)], {"file": "is not a field of this form"}),
        ([], [("body", "b.txt", b"Text")], {"body": "must be a plain field, not a file"}),
    ],
)
async def test_the_forms_parts_are_checked_before_anything_is_stored(
    http, tmp_path, fields, files, errors
) -> None:
    room_id, headers = await setup_room()
    content, content_type = encode_form(fields, files)
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        content=content,
        headers={**headers, "content-type": content_type},
    )
    assert response.status_code == 422, response.text
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == errors
    assert await Attachment.count() == 0 and await Message.count() == 1
    assert leftovers(tmp_path) == []


async def test_a_broken_multipart_body_is_400(http) -> None:
    room_id, headers = await setup_room()
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        content=b'--x\r\nContent-Disposition: form-data; name="body"\r\n\r\nabgeschnitten',
        headers={**headers, "content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- base64 in JSON: small files only ---------------------------------------------------------


async def test_base64_over_5_mb_together_is_413_before_decoding(http, tmp_path) -> None:
    room_id, headers = await setup_room()
    half = base64.b64encode(pdf_of(2 * MB + MB // 2 + 1)).decode()
    two = [{"name": f"{n}.pdf", "content_base64": half} for n in range(2)]
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={"body": "Zu viel für JSON", "attachments": two},
        headers=headers,
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "multipart/form-data" in response.json()["detail"]
    result = await builders.room(ERIKA)
    big = base64.b64encode(pdf_of(5 * MB + 1)).decode()
    decision = await http.post(
        f"/api/v1/rooms/{result.room.id}/decisions",
        json={"summary": SUMMARY, "document": {"name": "b.pdf", "content_base64": big}},
        headers=headers,
    )
    assert decision.status_code == 413, decision.text
    assert "multipart/form-data" in decision.json()["detail"]
    assert await Attachment.count() == 0 and await Decision.count() == 0
    assert leftovers(tmp_path) == []


async def test_base64_under_the_limit_still_works(http) -> None:
    room_id, headers = await setup_room()
    content = pdf_of(5 * MB - 1024)
    response = await http.post(
        f"/api/v1/rooms/{room_id}/messages",
        json={
            "body": "Knapp darunter",
            "attachments": [
                {"name": "a.pdf", "content_base64": base64.b64encode(content).decode()}
            ],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    [file] = response.json()["attachments"]
    assert file["size"] == len(content)
    assert file["sha256"] == hashlib.sha256(content).hexdigest()


async def test_the_base64_limit_is_a_setting(database, tmp_path) -> None:
    uploads = UploadSettings(max_base64_mb=1)
    app = create_app(make_settings(tmp_path, uploads=uploads), engine=database)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        room_id, headers = await setup_room()
        encoded = base64.b64encode(pdf_of(MB + 1)).decode()
        response = await http.post(
            f"/api/v1/rooms/{room_id}/messages",
            json={"body": "x", "attachments": [{"name": "a.pdf", "content_base64": encoded}]},
            headers=headers,
        )
        assert response.status_code == 413, response.text
        assert "limited to 1 MB" in response.json()["detail"]
        form = await http.post(  # the same file as a form is fine
            f"/api/v1/rooms/{room_id}/messages",
            data={"body": "x"},
            files=[("attachments", ("a.pdf", pdf_of(MB + 1), "application/pdf"))],
            headers=headers,
        )
        assert form.status_code == 201, form.text


# --- Idempotency-Key with a multipart body ------------------------------------------------------


def form_body(boundary: str, content: bytes, text: str = "Mit Schlüssel") -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n{text}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def test_a_multipart_repeat_replays_whatever_its_boundary(http) -> None:
    room_id, headers = await setup_room()
    url = f"/api/v1/rooms/{room_id}/messages"
    keyed = {**headers, "Idempotency-Key": "form-1"}

    async def send(boundary: str, content: bytes = PDF) -> httpx.Response:
        return await http.post(
            url,
            content=form_body(boundary, content),
            headers={**keyed, "content-type": f"multipart/form-data; boundary={boundary}"},
        )

    first = await send("first-boundary")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await send("another-boundary")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert await Message.count() == 2 and await Attachment.count() == 1
    other = await send("first-boundary", PDF + b"% changed\n")
    assert other.status_code == 422
    assert other.json()["title"] == "Idempotency-Key reused with a different request"
    as_json = await http.post(url, json={"body": "Mit Schlüssel"}, headers=keyed)
    assert as_json.status_code == 422
    assert await Message.count() == 2


async def test_a_multipart_refusal_before_the_body_is_not_remembered(http) -> None:
    result = await builders.room(ERIKA, closed=True)
    _, token = await builders.client()
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": "closed-form",
        "content-type": "multipart/form-data; boundary=b",
    }
    url = f"/api/v1/rooms/{result.room.id}/messages"
    for _ in range(2):
        response = await http.post(url, content=form_body("b", PDF), headers=headers)
        assert response.status_code == 409
        assert "idempotent-replayed" not in response.headers
    assert await IdempotencyRecord.count() == 0


async def test_a_multipart_refusal_after_the_whole_body_is_replayed(http) -> None:
    room_id, headers = await setup_room()
    keyed = {
        **headers,
        "Idempotency-Key": "bad-type",
        "content-type": "multipart/form-data; boundary=c",
    }
    url = f"/api/v1/rooms/{room_id}/messages"
    first = await http.post(url, content=form_body("c", b"MZ\x90\x00"), headers=keyed)
    assert first.status_code == 422
    again = await http.post(url, content=form_body("c", b"MZ\x90\x00"), headers=keyed)
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content


async def test_a_repeat_while_a_multipart_first_is_in_flight_is_409(http) -> None:
    machine, token = await builders.client()
    result = await builders.room(ERIKA)
    path = f"/api/v1/rooms/{result.room.id}/messages"
    # A multipart first request has claimed the key; its hash is known only at the end.
    claimed = await claim(machine.id, "busy-form", "POST", path, None, datetime.now(UTC))
    assert type(claimed).__name__ == "Claimed"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "busy-form"}
    form = await http.post(
        path,
        content=form_body("d", PDF),
        headers={**headers, "content-type": "multipart/form-data; boundary=d"},
    )
    json = await http.post(path, json={"body": "Eins"}, headers=headers)
    assert form.status_code == json.status_code == 409
    assert "in progress" in form.json()["title"]
    assert await Message.count() == 1
