"""Internal notes never reach the applicant's side: not the applicant, not a representative,
not an organisation's employee; not in pages, fragments, live frames, lists or the API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from websockets.asyncio.client import connect

from rooms.casework.assignment import check_assign
from rooms.casework.notes import check_add_note
from rooms.casework.representatives import check_create_invitation, check_redeem_invitation
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, SABINE
from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")

SECRET = "Intern-Geheimvermerk Pelikan-3319"
HANDOVER = "Übergabe-Geheimnis Pelikan-4420"
LIVE_SECRET = "Live-Vermerk Pelikan-5531"
LABEL = "Intern – für Antragstellende nicht sichtbar"
SECRETS = (SECRET, HANDOVER, LIVE_SECRET, "Pelikan", LABEL, "Interne Notizen", "notizen")


@dataclass(frozen=True)
class Rooms:
    erikas: UUID  # Jonas represents Erika here
    business: UUID  # Max's organisation applied


@pytest.fixture
async def rooms(database) -> Rooms:  # type: ignore[no-untyped-def]
    erikas = (await builders.room(ERIKA, title="Antrag Erika")).room.id
    invitation = await check_create_invitation(ERIKA, erikas)
    await check_redeem_invitation(JONAS, invitation.code)
    business = (await builders.room(MAX, title="Antrag Beispiel GmbH")).room.id
    for room in (erikas, business):
        await check_add_note(SABINE, room, SECRET)
        await check_assign(SABINE, room, assignee=SABINE.subject, note=HANDOVER)
    return Rooms(erikas, business)


VIEWERS = [("erika", "erikas"), ("jonas", "erikas"), ("max", "business")]


def assert_clean(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows {secret!r}"


@pytest.mark.parametrize(("who", "which"), VIEWERS)
async def test_pages_fragments_and_lists_never_show_internal_notes(
    server, rooms, who, which
) -> None:
    room = getattr(rooms, which)
    async with (
        httpx.AsyncClient(base_url=server) as viewer,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(sabine, "sabine")
        staff_page = await sabine.get(f"/rooms/{room}")
        assert (
            SECRET in staff_page.text and HANDOVER in staff_page.text and LABEL in staff_page.text
        )

        await login(viewer, who)
        page = await viewer.get(f"/rooms/{room}")
        assert page.status_code == 200  # they are in the room
        assert_clean(f"room page as {who}", page.text)
        listing = await viewer.get("/antraege")
        assert listing.status_code == 200
        assert_clean(f"/antraege as {who}", listing.text)
        htmx = {"HX-Request": "true", "x-csrftoken": csrf(viewer)}
        fragment = await viewer.post(
            f"/rooms/{room}/messages", data={"body": "Hallo"}, headers=htmx
        )
        assert fragment.status_code == 200
        assert_clean(f"composer fragment as {who}", fragment.text)
        for method, path, data in (
            ("GET", f"/rooms/{room}/notes", None),
            ("POST", f"/rooms/{room}/notes", {"note": "x"}),
            ("POST", f"/rooms/{room}/assignment", {"assignee": ""}),
        ):
            refused = await viewer.request(method, path, data=data, headers=htmx)
            assert refused.status_code == 404, f"{method} {path} as {who}"
            assert_clean(f"{method} {path} as {who}", refused.text)

        # live: a socket open while staff write notes, hand over and then post a message
        cookie = "; ".join(f"{k}={v}" for k, v in viewer.cookies.items())
        url = f"{server.replace('http', 'ws', 1)}/rooms/{room}/live?after=0"
        frames: list[str] = []
        async with connect(
            url, origin=server, additional_headers={"Cookie": cookie}, open_timeout=5
        ) as socket:  # type: ignore[arg-type]
            for data in ({"note": LIVE_SECRET},):
                note = await sabine.post(
                    f"/rooms/{room}/notes", data={**data, "_csrf_token": csrf(sabine)}
                )
                assert note.status_code == 303
            assigned = await sabine.post(
                f"/rooms/{room}/assignment",
                data={
                    "assignee": "",
                    "team": "Team Pelikan",
                    "note": LIVE_SECRET,
                    "_csrf_token": csrf(sabine),
                },
            )
            assert assigned.status_code == 303
            sent = await sabine.post(
                f"/rooms/{room}/messages",
                data={"body": "Ende der Probe", "_csrf_token": csrf(sabine)},
            )
            assert sent.status_code == 303
            async with asyncio.timeout(5):
                while not any("Ende der Probe" in f for f in frames):
                    frames.append(str(await socket.recv()))
        assert any('hx-target="#room-status"' in f for f in frames)  # the nudge did arrive
        for frame in frames:
            assert_clean(f"live frame as {who}", frame)


async def test_the_case_store_api_timeline_carries_no_internal_notes(http, rooms) -> None:
    """The authority's own case store reads the timeline: notes are not part of it."""
    _, token = await builders.client("demo-stadt")
    response = await http.get(
        f"/api/v1/rooms/{rooms.erikas}/messages", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    assert "Bitte reichen Sie" in response.text  # the timeline itself is there
    assert_clean("GET /api/v1/rooms/{id}/messages", response.text)
    room = await http.get(
        f"/api/v1/rooms/{rooms.erikas}", headers={"Authorization": f"Bearer {token}"}
    )
    assert room.status_code == 200
    assert_clean("GET /api/v1/rooms/{id}", room.text)
