"""GET /api/v1/events: pull the authority's events by cursor."""

from __future__ import annotations

import pytest

from rooms.casework.posting import check_post_message
from tests import builders
from tests.cast import ERIKA, JONAS

pytestmark = pytest.mark.usefixtures("database")


async def test_feed_pages_and_stays_within_the_authority(http) -> None:
    _, token = await builders.client("demo-stadt")
    _, other_token = await builders.client("demo-kreis")
    result = await builders.room(ERIKA)
    await builders.room(JONAS, authority_slug="demo-kreis")
    await check_post_message(ERIKA, result.room.id, "Antwort mit Inhalt")
    headers = {"Authorization": f"Bearer {token}"}
    page = (await http.get("/api/v1/events", params={"limit": 2}, headers=headers)).json()
    assert [e["type"] for e in page["events"]] == ["room.created", "timeline.item_added"]
    rest = await http.get("/api/v1/events", params={"after": page["next"]}, headers=headers)
    assert [e["type"] for e in rest.json()["events"]] == ["timeline.item_added"]
    assert "Antwort mit Inhalt" not in rest.text
    assert all(e["room_id"] == str(result.room.id) for e in page["events"])

    other = await http.get("/api/v1/events", headers={"Authorization": f"Bearer {other_token}"})
    assert {e["room_id"] for e in other.json()["events"]} != {str(result.room.id)}
    assert str(result.room.id) not in other.text
    assert (await http.get("/api/v1/events")).status_code == 401
    negative = await http.get("/api/v1/events", params={"after": -1}, headers=headers)
    assert negative.status_code in (400, 422)


async def test_a_cursor_beyond_the_serial_range_is_refused_not_a_server_error(http) -> None:
    _, token = await builders.client("demo-stadt")
    headers = {"Authorization": f"Bearer {token}"}
    last = await http.get("/api/v1/events", params={"after": 2**31 - 1}, headers=headers)
    assert last.status_code == 200, last.text
    assert last.json() == {"events": [], "next": 2**31 - 1}
    for after in (2**31, 2**63 - 1):
        beyond = await http.get("/api/v1/events", params={"after": after}, headers=headers)
        assert beyond.status_code == 422, beyond.text
        assert beyond.headers["content-type"].startswith("application/problem+json")
