"""Malformed text never meets a server error: JSON, query strings, forms, multipart.

Each runs on SQLite and PostgreSQL: PostgreSQL refuses NUL in ``text`` (a 500 before),
SQLite stored it as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rooms.kernel.tables import (
    ContactPreference,
    DocumentRequest,
    Invitation,
    Message,
    Room,
    TextTemplate,
)
from tests import builders
from tests.cast import ERIKA
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")

INTAKE = (
    b'{"case_ref": "VG-T-1", "title": "%s", '
    b'"applicant": {"subject": "s-1", "kind": "person", "name": "%s"}}'
)


async def auth() -> dict[str, str]:
    _, token = await builders.client("demo-stadt")
    return {"Authorization": f"Bearer {token}"}


def problem_of(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, None),  # deeper than msgspec recurses
        (b'{"body": "\xff\xfe kaputt"}', 400, None),  # not UTF-8
        (INTAKE % (b"Wohngeld\\u0000", b"Erika"), 422, "title"),
        (INTAKE % (b"Wohngeld", b"Er\\u0000ika"), 422, "applicant.name"),
    ],
    ids=["nested", "not-utf8", "nul-title", "nul-name"],
)
@pytest.mark.parametrize("path", ["rooms", "messages"])
async def test_malformed_json_is_a_problem_not_a_server_error(
    http, body: bytes, status: int, where: str | None, path: str
) -> None:
    room = (await builders.room(ERIKA)).room.id
    url = "/api/v1/rooms" if path == "rooms" else f"/api/v1/rooms/{room}/messages"
    if path == "messages" and where is not None:
        body, where = b'{"body": "Frage\\u0000"}', "body"
    headers = {**await auth(), "content-type": "application/json", "Idempotency-Key": "t-1"}
    problem = problem_of(await http.post(url, content=body, headers=headers), status)
    if where is not None:
        assert [e["field"] for e in problem["errors"]] == [where]
    assert await Room.count() == 1 and await Message.count() == 1  # only the builder's


@pytest.mark.parametrize("query", [b"case_ref=VG%00-1", b"case_ref=VG%FF-1", b"st%00atus=open"])
async def test_an_api_query_with_nul_or_not_utf8_is_400(http, query: bytes) -> None:
    await builders.room(ERIKA, case_ref="VG-1")
    url = "/api/v1/rooms?" + query.decode()
    problem = problem_of(await http.get(url, headers=await auth()), 400)
    assert "NUL" in problem["detail"] or "UTF-8" in problem["detail"]


async def test_a_multipart_text_field_that_is_not_utf8_is_400(http) -> None:
    room = (await builders.room(ERIKA)).room.id
    response = await http.post(
        f"/api/v1/rooms/{room}/messages",
        files={"body": (None, b"Frage \xff")},
        headers=await auth(),
    )
    problem_of(response, 400)
    assert await Message.count() == 1


async def test_a_form_that_is_not_utf8_answers_a_page_in_words(app) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with in_process(app) as erika:
        await login(erika, "erika")
        token = csrf(erika).encode()
        response = await erika.post(
            f"/rooms/{room}/messages",
            content=b"body=Frage%FF&_csrf_token=" + token,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 400
    assert "Ihre Eingabe enthält Zeichen, die wir nicht verarbeiten können" in response.text
    assert await Message.count() == 1


async def test_nul_in_page_forms_answers_the_form_with_the_message(app) -> None:
    room = (await builders.room(ERIKA)).room.id
    deadline = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    message = "Der Text enthält unzulässige Zeichen."
    async with in_process(app) as erika, in_process(app) as sabine, in_process(app) as anna:
        await login(erika, "erika")
        await login(sabine, "sabine")
        await login(anna, "anna")
        refused = [
            (
                await erika.post(
                    f"/rooms/{room}/invitations",
                    data={"label": "Steuer\x00beratung", "_csrf_token": csrf(erika)},
                ),
                'aria-describedby="invite-label-error"',
            ),
            (
                await sabine.post(
                    f"/rooms/{room}/requests",
                    data={
                        "explanation": "Bitte nachreichen",
                        "items": "Lohn\x00nachweis",
                        "deadline": deadline,
                        "_csrf_token": csrf(sabine),
                    },
                ),
                'aria-describedby="request-items-hint request-items-error"',
            ),
            (
                await anna.post(
                    "/admin/textbausteine",
                    data={"name": "Rück\x00frage", "body": "Hallo", "_csrf_token": csrf(anna)},
                ),
                'aria-describedby="template-name-error"',
            ),
        ]
        prefs = await erika.post(
            "/einstellungen/benachrichtigungen",
            data={"email": "erika\x00@example.org", "language": "de", "_csrf_token": csrf(erika)},
        )
    for response, described in refused:
        assert response.status_code == 422, response.text[:300]
        assert message in response.text
        assert described in response.text
    assert prefs.status_code == 422
    assert await Invitation.count() == 0
    assert await DocumentRequest.count() == 0
    assert await TextTemplate.count() == 0
    assert await ContactPreference.count() == 0
