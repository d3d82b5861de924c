"""Rooms through the machine API: read, list (filters, cursor), progress, close, scopes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casestore.clients import do_create_client
from rooms.casework.posting import check_post_message
from rooms.casework.requests import NewItem, check_create_request, open_requests
from rooms.kernel.tables import OutboxEvent, Participant, RequestItem, Room
from tests import builders
from tests.cast import ERIKA, JONAS, SABINE

pytestmark = pytest.mark.usefixtures("database")


async def auth(authority: str = "demo-stadt") -> dict[str, str]:
    _, token = await builders.client(authority)
    return {"Authorization": f"Bearer {token}"}


async def test_read_a_room_by_id(http) -> None:
    headers = await auth()
    result = await builders.room(ERIKA, title="Antrag auf Wohngeld", case_ref="VG-1")
    await Participant(
        room=result.room.id, role="representative", kind="person", subject="rep", name="Rita Rat"
    ).save()
    response = await http.get(f"/api/v1/rooms/{result.room.id}", headers=headers)
    assert response.status_code == 200, response.text
    room = response.json()
    assert room["id"] == str(result.room.id)
    assert room["url"] == f"http://127.0.0.1:8000/rooms/{result.room.id}"
    assert room["case_ref"] == "VG-1"
    assert room["title"] == "Antrag auf Wohngeld"
    assert (room["status"], room["progress"], room["applicant_status"]) == (
        "open",
        "received",
        "received",
    )
    assert room["closed_at"] is None
    assert room["last_seq"] == 1  # the intake's message
    assert room["participants"] == [
        {"role": "applicant", "kind": "person", "name": ERIKA.name},
        {"role": "representative", "kind": "person", "name": "Rita Rat"},
    ]
    assert room["open_document_requests"] == 0


async def test_a_foreign_room_is_the_same_404_as_a_missing_one(http) -> None:
    headers = await auth("demo-kreis")
    theirs = await builders.room(ERIKA, title="Geheimer Titel")
    foreign = await http.get(f"/api/v1/rooms/{theirs.room.id}", headers=headers)
    missing = await http.get(f"/api/v1/rooms/{uuid.uuid4()}", headers=headers)
    garbage = await http.get("/api/v1/rooms/not-a-uuid", headers=headers)
    assert foreign.status_code == missing.status_code == garbage.status_code == 404
    assert foreign.json() == missing.json() == garbage.json()
    assert foreign.headers["content-type"].startswith("application/problem+json")
    assert foreign.json()["detail"]
    assert "Geheimer" not in foreign.text


async def test_read_by_case_ref_and_an_unknown_case_ref_is_404(http) -> None:
    headers = await auth()
    result = await builders.room(ERIKA, case_ref="VG-2026-7")
    await builders.room(JONAS, case_ref="VG-2026-8")
    await builders.room(JONAS, case_ref="VG-2026-7", authority_slug="demo-kreis")
    found = await http.get("/api/v1/rooms", params={"case_ref": "VG-2026-7"}, headers=headers)
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["rooms"]] == [str(result.room.id)]
    unknown = await http.get("/api/v1/rooms", params={"case_ref": "VG-0000"}, headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["status"] == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")


async def test_pages_neither_skip_nor_repeat_while_rooms_arrive(http) -> None:
    headers = await auth()
    first_ids = [str((await builders.room(ERIKA)).room.id) for _ in range(5)]
    seen: list[str] = []
    arrived: list[str] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await http.get("/api/v1/rooms", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [r["id"] for r in page["rooms"]]
        if len(arrived) < 3:  # a new room arrives after every page
            arrived.append(str((await builders.room(JONAS)).room.id))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a room was repeated"
    assert seen == first_ids + arrived, "a room was skipped or out of order"


async def test_filters(http) -> None:
    headers = await auth()
    old = await builders.room(ERIKA)
    closed = await builders.room(ERIKA, closed=True)
    waiting = await builders.room(JONAS)
    await Room.update({Room.progress: "waiting"}).where(Room.id == waiting.room.id)
    past = datetime.now(UTC) - timedelta(days=3)
    await Room.update({Room.last_activity_at: past}).where(Room.id == old.room.id)

    async def ids(**params: str) -> set[str]:
        response = await http.get("/api/v1/rooms", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {r["id"] for r in response.json()["rooms"]}

    assert await ids(status="closed") == {str(closed.room.id)}
    assert await ids(status="open") == {str(old.room.id), str(waiting.room.id)}
    assert await ids(progress="waiting") == {str(waiting.room.id)}
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert await ids(updated_since=since) == {str(closed.room.id), str(waiting.room.id)}
    bad = await http.get("/api/v1/rooms", params={"status": "gone"}, headers=headers)
    assert bad.status_code == 422
    cursor = await http.get("/api/v1/rooms", params={"cursor": "bm9wZQ"}, headers=headers)
    assert cursor.status_code == 422
    assert cursor.json()["errors"][0]["field"] == "cursor"


async def test_the_list_shows_only_the_authoritys_rooms(http) -> None:
    headers = await auth("demo-kreis")
    await builders.room(ERIKA, title="Fremder Antrag")
    response = await http.get("/api/v1/rooms", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"rooms": [], "next_cursor": None}


async def test_set_progress_and_close(http) -> None:
    headers = await auth()
    result = await builders.room(ERIKA)
    url = f"/api/v1/rooms/{result.room.id}"
    changed = await http.post(f"{url}/status", json={"progress": "in_progress"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["progress"] == "in_progress"
    assert changed.json()["applicant_status"] == "in_progress"
    invalid = await http.post(f"{url}/status", json={"progress": "bored"}, headers=headers)
    assert invalid.status_code == 422
    closed = await http.post(f"{url}/close", headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["applicant_status"] == "closed"
    assert closed.json()["closed_at"] is not None
    types = [e["type"] for e in await OutboxEvent.select(OutboxEvent.type)]
    assert "room.status_changed" in types and "room.closed" in types


async def test_a_closed_room_refuses_writes_with_409_and_stays_readable(http) -> None:
    headers = await auth()
    result = await builders.room(ERIKA, closed=True)
    url = f"/api/v1/rooms/{result.room.id}"
    before = await OutboxEvent.count()
    for response in (
        await http.post(f"{url}/status", json={"progress": "decided"}, headers=headers),
        await http.post(f"{url}/close", headers=headers),
        await http.post(f"{url}/messages", json={"body": "Noch etwas"}, headers=headers),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["title"] == "Room is closed"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await OutboxEvent.count() == before
    assert (await http.get(url, headers=headers)).status_code == 200
    assert (await http.get(f"{url}/messages", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "method", "path", "missing"),
    [
        (("rooms:write",), "GET", "/api/v1/rooms", "rooms:read"),
        (("rooms:write",), "GET", "/api/v1/rooms/{id}", "rooms:read"),
        (("rooms:write",), "GET", "/api/v1/rooms/{id}/messages", "rooms:read"),
        (("rooms:read",), "POST", "/api/v1/rooms/{id}/messages", "rooms:write"),
        (("rooms:read",), "POST", "/api/v1/rooms/{id}/close", "rooms:write"),
        (("rooms:read",), "POST", "/api/v1/rooms/{id}/status", "rooms:write"),
        (("rooms:read",), "POST", "/api/v1/rooms", "rooms:write"),
        (("rooms:read", "rooms:write"), "GET", "/api/v1/events", "events:read"),
    ],
)
async def test_a_missing_scope_is_403_naming_it(http, scopes, method, path, missing) -> None:
    await builders.authority()
    result = await builders.room(ERIKA)
    _, token = await do_create_client("demo-stadt", "Nur lesen", scopes)
    body = {"progress": "decided"} if path.endswith("status") else {"body": "Hallo"}
    response = await http.request(
        method,
        path.replace("{id}", str(result.room.id)),
        json=body if method == "POST" else None,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403, response.text
    assert missing in response.json()["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await Room.select(Room.status).first())["status"] == "open"


async def test_the_timeline_as_the_case_store_reads_it(http) -> None:
    headers = await auth()
    result = await builders.room(ERIKA, message="Bitte Nachweise senden.")
    await check_post_message(ERIKA, result.room.id, "Hier sind sie.")
    url = f"/api/v1/rooms/{result.room.id}/messages"
    everything = (await http.get(url, headers=headers)).json()
    assert [(i["seq"], i["side"], i["body"]) for i in everything["items"]] == [
        (1, "authority", "Bitte Nachweise senden."),
        (2, "applicant", "Hier sind sie."),
    ]
    assert everything["next_after"] == 2
    later = (await http.get(url, params={"after": 1, "limit": 1}, headers=headers)).json()
    assert [i["seq"] for i in later["items"]] == [2]
    assert later["items"][0]["author_name"] == ERIKA.name
    nothing = (await http.get(url, params={"after": 2}, headers=headers)).json()
    assert nothing == {"items": [], "next_after": 2}


async def test_the_list_counts_each_rooms_open_document_requests(http) -> None:
    headers = await auth()
    deadline = datetime.now(UTC).date() + timedelta(days=14)
    a = (await builders.room(ERIKA, case_ref="VG-A")).room.id
    b = (await builders.room(JONAS, case_ref="VG-B")).room.id
    c = (await builders.room(ERIKA, case_ref="VG-C")).room.id

    async def ask(room_id, label: str, *, required: bool = True, state: str = "open") -> None:  # type: ignore[no-untyped-def]
        await check_create_request(
            SABINE, room_id, "Bitte", [NewItem(label, required=required)], deadline
        )
        await RequestItem.update({RequestItem.state: state}).where(RequestItem.label == label)

    await ask(a, "Mietvertrag")  # open
    await ask(a, "Foto", required=False)  # nothing required: not open
    await ask(a, "Meldebescheinigung", state="submitted")  # handed in: not open
    await ask(b, "Gehaltsnachweis", state="rejected")  # asked again: open
    await ask(b, "Ausweis", state="accepted")
    page = (await http.get("/api/v1/rooms", headers=headers)).json()
    counts = {r["case_ref"]: r["open_document_requests"] for r in page["rooms"]}
    assert counts == {"VG-A": 1, "VG-B": 1, "VG-C": 0}
    for room_id, ref in ((a, "VG-A"), (b, "VG-B"), (c, "VG-C")):  # the room page's own count
        assert len(await open_requests(room_id)) == counts[ref]
        one = (await http.get(f"/api/v1/rooms/{room_id}", headers=headers)).json()
        assert one["open_document_requests"] == counts[ref]
