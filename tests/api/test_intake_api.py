"""POST /api/v1/rooms: the case store's intake endpoint."""

from __future__ import annotations

import pytest

from rooms.kernel.tables import Message, Room
from tests import builders

pytestmark = pytest.mark.usefixtures("database")

BODY = {
    "case_ref": "VG-2026-000123",
    "title": "Antrag auf Wohngeld",
    "applicant": {
        "subject": "demo-citizen-erika",
        "kind": "person",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
    },
    "min_trust_level": "substantial",
    "message": {"body": "Bitte reichen Sie die Nachweise nach."},
}


async def _token() -> str:
    _, token = await builders.client()
    return token


async def test_intake_creates_once_and_answers_the_same_room_again(http) -> None:
    headers = {"Authorization": f"Bearer {await _token()}"}
    first = await http.post("/api/v1/rooms", json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["case_ref"] == "VG-2026-000123"
    assert created["url"] == f"http://127.0.0.1:8000/rooms/{created['id']}"
    assert first.headers["location"] == created["url"]
    again = await http.post("/api/v1/rooms", json=BODY, headers=headers)
    assert again.status_code == 200
    assert again.json() == created
    assert await Room.count() == 1
    assert await Message.count() == 1


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer ar_wrong", "Basic dXNlcjpwYXNz", "ar_token-without-scheme"],
)
async def test_missing_or_wrong_token_is_401_and_writes_nothing(http, authorization) -> None:
    await _token()
    headers = {"Authorization": authorization} if authorization else {}
    response = await http.post("/api/v1/rooms", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await Room.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"case_ref": ""}, "case_ref"),
        ({"case_ref": "../../etc/passwd"}, "case_ref"),
        ({"title": "   "}, "title"),
        ({"min_trust_level": "very high"}, "min_trust_level"),
        ({"applicant": {"subject": "x", "kind": "robot", "name": "R"}}, "applicant.kind"),
        ({"message": {"body": ""}}, "message.body"),
        ({"message": {"body": "x" * 20_001}}, "message.body"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
async def test_invalid_bodies_are_422_with_the_field_named(http, change, field) -> None:
    headers = {"Authorization": f"Bearer {await _token()}"}
    response = await http.post("/api/v1/rooms", json={**BODY, **change}, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422
    assert any(field in e["field"] or field in e["message"] for e in problem["errors"]), problem
    assert "Traceback" not in response.text
    assert await Room.count() == 0


async def test_malformed_json_gets_a_clear_answer(http) -> None:
    headers = {"Authorization": f"Bearer {await _token()}", "Content-Type": "application/json"}
    response = await http.post("/api/v1/rooms", content=b'{"case_ref": ', headers=headers)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text


async def test_the_openapi_document_describes_the_intake(http) -> None:
    schema = (await http.get("/api/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/rooms"]["post"]
    assert {"200", "201", "401", "422"} <= set(operation["responses"])
    assert operation["security"] == [{"bearer": []}]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "RoomIn" in str(operation["requestBody"])
    assert not any(path.startswith("/rooms") for path in schema["paths"])


async def test_intake_names_the_applicants_provider_or_means_the_sole_one(http) -> None:
    from dataclasses import replace

    from rooms.kernel.access import access_room
    from rooms.kernel.errors import NotFound
    from tests.cast import ERIKA, ISSUER

    headers = {"Authorization": f"Bearer {await _token()}"}
    elsewhere = "https://login.other-land.example"
    named = {**BODY, "applicant": {**BODY["applicant"], "issuer": elsewhere}}
    first = await http.post("/api/v1/rooms", json=named, headers=headers)
    assert first.status_code == 201, first.text
    erika = replace(ERIKA, subject="demo-citizen-erika")
    with pytest.raises(NotFound):
        await access_room(erika, first.json()["id"])
    assert await access_room(replace(erika, issuer=elsewhere), first.json()["id"])

    unnamed = {**BODY, "case_ref": "VG-2026-000124"}  # the development IdP is the only one
    second = await http.post("/api/v1/rooms", json=unnamed, headers=headers)
    assert second.status_code == 201, second.text
    assert (await access_room(erika, second.json()["id"])).room.id.hex == second.json()[
        "id"
    ].replace("-", "")
    assert erika.issuer == ISSUER

    schema = (await http.get("/api/schema/openapi.json")).json()
    applicant = schema["components"]["schemas"]["ApplicantIn"]["properties"]
    assert "issuer" in applicant and "provider" in str(applicant["issuer"])
