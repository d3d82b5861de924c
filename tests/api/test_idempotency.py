"""Idempotency-Key on every POST of the machine API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.api.idempotency_records import claim, request_hash, storable
from rooms.kernel.tables import IdempotencyRecord, Message, Room
from tests import builders
from tests.cast import ERIKA

pytestmark = pytest.mark.usefixtures("database")

INTAKE = {
    "case_ref": "VG-IDEM-1",
    "title": "Antrag auf Wohngeld",
    "applicant": {"subject": "demo-citizen-erika", "kind": "person", "name": "Erika Mustermann"},
}


async def auth(authority: str = "demo-stadt", key: str | None = None) -> dict[str, str]:
    _, token = await builders.client(authority)
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def test_a_repeat_replays_the_first_answer_and_creates_nothing(http) -> None:
    result = await builders.room(ERIKA)
    headers = await auth(key="msg-1")
    url = f"/api/v1/rooms/{result.room.id}/messages"
    first = await http.post(url, json={"body": "Eine Frage"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    count = await Message.count()
    again = await http.post(url, json={"body": "Eine Frage"}, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await Message.count() == count


async def test_a_replayed_intake_keeps_its_location(http) -> None:
    headers = await auth(key="intake-1")
    first = await http.post("/api/v1/rooms", json=INTAKE, headers=headers)
    assert first.status_code == 201
    again = await http.post("/api/v1/rooms", json=INTAKE, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["location"] == first.headers["location"]
    assert await Room.count() == 1


async def test_the_same_key_with_another_body_or_path_is_422(http) -> None:
    result = await builders.room(ERIKA)
    headers = await auth(key="k")
    url = f"/api/v1/rooms/{result.room.id}"
    first = await http.post(f"{url}/messages", json={"body": "Eins"}, headers=headers)
    assert first.status_code == 201
    count = await Message.count()
    for response in (
        await http.post(f"{url}/messages", json={"body": "Zwei"}, headers=headers),
        await http.post(f"{url}/status", json={"progress": "waiting"}, headers=headers),
    ):
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["title"] == "Idempotency-Key reused with a different request"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await Message.count() == count
    assert (await Room.select(Room.progress).first())["progress"] == "received"


async def test_keys_belong_to_one_client(http) -> None:
    result = await builders.room(ERIKA)
    url = f"/api/v1/rooms/{result.room.id}/messages"
    mine = await http.post(url, json={"body": "A"}, headers=await auth(key="same"))
    theirs = await http.post(url, json={"body": "B"}, headers=await auth(key="same"))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["seq"] != theirs.json()["seq"]


async def test_a_request_in_flight_makes_a_repeat_409(http) -> None:
    machine, token = await builders.client()
    result = await builders.room(ERIKA)
    path = f"/api/v1/rooms/{result.room.id}/messages"
    body = b'{"body":"Eins"}'
    # The first request has claimed the key and is still being processed.
    claimed = await claim(
        machine.id, "busy", "POST", path, request_hash("POST", path, body), datetime.now(UTC)
    )
    assert type(claimed).__name__ == "Claimed"
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": "busy",
        "content-type": "application/json",
    }
    response = await http.post(path, content=body, headers=headers)
    assert response.status_code == 409, response.text
    assert "in progress" in response.json()["title"]
    assert await Message.count() == 1
    # An in-flight record that has been abandoned for long is taken over.
    old = datetime.now(UTC) - timedelta(hours=1)
    await IdempotencyRecord.update({IdempotencyRecord.created_at: old}).where(
        IdempotencyRecord.key == "busy"
    )
    taken_over = await http.post(path, content=body, headers=headers)
    assert taken_over.status_code == 201


async def test_concurrent_first_requests_run_the_handler_once(http) -> None:
    result = await builders.room(ERIKA)
    headers = await auth(key="race")
    url = f"/api/v1/rooms/{result.room.id}/messages"
    answers = await asyncio.gather(
        *[http.post(url, json={"body": "Gleichzeitig"}, headers=headers) for _ in range(4)]
    )
    assert sorted({a.status_code for a in answers}) in ([201], [201, 409])
    assert await Message.count() == 2  # the intake's and exactly one more


async def test_refusals_are_replayed_but_server_errors_and_conflicts_are_not(http) -> None:
    result = await builders.room(ERIKA, closed=True)
    headers = await auth(key="closed")
    url = f"/api/v1/rooms/{result.room.id}/messages"
    first = await http.post(url, json={"body": "x"}, headers=headers)
    assert first.status_code == 409  # the room is closed: a conflict, not remembered
    assert await IdempotencyRecord.count() == 0
    invalid_headers = await auth(key="invalid")
    invalid = await http.post(url, json={"body": ""}, headers=invalid_headers)
    assert invalid.status_code == 422
    replay = await http.post(url, json={"body": ""}, headers=invalid_headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == invalid.content
    assert [storable(s) for s in (200, 201, 404, 422, 401, 409, 500, 503)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


async def test_records_older_than_a_day_are_forgotten(http) -> None:
    result = await builders.room(ERIKA)
    headers = await auth(key="yesterday")
    url = f"/api/v1/rooms/{result.room.id}/messages"
    assert (await http.post(url, json={"body": "Eins"}, headers=headers)).status_code == 201
    old = datetime.now(UTC) - timedelta(hours=25)
    await IdempotencyRecord.update({IdempotencyRecord.created_at: old}).where(
        IdempotencyRecord.key == "yesterday"
    )
    again = await http.post(url, json={"body": "Zwei"}, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await IdempotencyRecord.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "schlüssel".encode(), "tab\there"])
async def test_an_invalid_key_is_422(http, key) -> None:
    result = await builders.room(ERIKA)
    headers = await auth()
    headers["Idempotency-Key"] = key
    response = await http.post(
        f"/api/v1/rooms/{result.room.id}/messages", json={"body": "x"}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await Message.count() == 1


async def test_without_a_valid_token_the_key_is_not_looked_at(http) -> None:
    result = await builders.room(ERIKA)
    response = await http.post(
        f"/api/v1/rooms/{result.room.id}/messages",
        json={"body": "x"},
        headers={"Idempotency-Key": "k", "Authorization": "Bearer ar_nope"},
    )
    assert response.status_code == 401
    assert await IdempotencyRecord.count() == 0
