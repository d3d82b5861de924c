"""The live websocket: delivery, resume without gap or duplicate, Origin check."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests import builders
from tests.backends import on_redis
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")

both = pytest.mark.on_both_backends  # the live channel and sessions: memory and Redis

ITEM = re.compile(r'<li id="item-(\d+)"')


def ws_url(base: str, room_id: object, after: int = 0) -> str:
    return f"{base.replace('http', 'ws', 1)}/rooms/{room_id}/live?after={after}"


def cookie_header(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def open_socket(base: str, client: httpx.AsyncClient, room_id: object, after: int = 0):  # type: ignore[no-untyped-def]
    return connect(
        ws_url(base, room_id, after),
        origin=base,  # type: ignore[arg-type]
        additional_headers={"Cookie": cookie_header(client)},
        open_timeout=5,
    )


async def receive_items(socket: ClientConnection, count: int) -> list[int]:
    """Sequence numbers of the next ``count`` timeline items the socket delivers."""
    seen: list[int] = []
    async with asyncio.timeout(5):
        while len(seen) < count:
            frame = str(await socket.recv())
            if 'hx-target="#timeline"' in frame:
                seen += [int(n) for n in ITEM.findall(frame)]
    return seen


async def post(client: httpx.AsyncClient, room_id: object, body: str) -> None:
    response = await client.post(
        f"/rooms/{room_id}/messages", data={"body": body, "_csrf_token": csrf(client)}
    )
    assert response.status_code == 303, response.text


@pytest.fixture
async def people(server):  # type: ignore[no-untyped-def]
    async with (
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        yield erika, sabine


@both
async def test_a_reply_reaches_the_other_participants_socket(server, people) -> None:
    erika, sabine = people
    result = await builders.room(ERIKA)
    await sabine.get(f"/rooms/{result.room.id}")
    async with await open_socket(server, erika, result.room.id, after=1) as socket:
        await post(sabine, result.room.id, "Eine Rückfrage vom Amt.")
        frame = str(await asyncio.wait_for(socket.recv(), 5))
        assert "Eine Rückfrage vom Amt." in frame
        assert "Sabine Sachbearbeiterin" in frame
        assert ITEM.findall(frame) == ["2"]


@both
async def test_reconnect_with_last_sequence_gets_exactly_the_missing_items(server, people) -> None:
    erika, sabine = people
    result = await builders.room(ERIKA)
    await sabine.get(f"/rooms/{result.room.id}")
    async with await open_socket(server, erika, result.room.id, after=0) as socket:
        assert await receive_items(socket, 1) == [1]  # the backlog
        await post(sabine, result.room.id, "zwei")
        assert await receive_items(socket, 1) == [2]
    # offline while two more arrive
    await post(sabine, result.room.id, "drei")
    await post(sabine, result.room.id, "vier")
    async with await open_socket(server, erika, result.room.id, after=2) as socket:
        assert await receive_items(socket, 2) == [3, 4]
        await post(sabine, result.room.id, "fünf")
        assert await receive_items(socket, 1) == [5]  # no duplicate of 3 or 4 first


@both
async def test_the_author_sees_live_that_the_other_side_read_the_message(server, people) -> None:
    erika, sabine = people
    result = await builders.room(ERIKA)
    await erika.get(f"/rooms/{result.room.id}")
    await post(erika, result.room.id, "Bitte lesen.")
    async with await open_socket(server, erika, result.room.id, after=2) as socket:
        await sabine.get(f"/rooms/{result.room.id}")  # Sabine opens the room: read
        async with asyncio.timeout(5):
            while True:
                frame = str(await socket.recv())
                if 'hx-target="#receipt-2"' in frame:
                    break
        assert "Gelesen am" in frame


@pytest.mark.parametrize("origin", ["http://evil.example", None])
@both
async def test_handshake_from_a_foreign_or_missing_origin_is_refused(
    server, people, origin
) -> None:
    erika, _ = people
    result = await builders.room(ERIKA)
    headers = {"Cookie": cookie_header(erika)}
    kwargs = {} if origin is None else {"origin": origin}
    with pytest.raises((InvalidStatus, ConnectionClosed)):
        async with connect(
            ws_url(server, result.room.id), additional_headers=headers, **kwargs
        ) as socket:
            await asyncio.wait_for(socket.recv(), 5)


@both
async def test_outsiders_and_anonymous_sockets_get_nothing(server) -> None:
    result = await builders.room(ERIKA)
    async with httpx.AsyncClient(base_url=server) as jonas:
        await login(jonas, "jonas")
        for client in (jonas, httpx.AsyncClient(base_url=server)):
            with pytest.raises((InvalidStatus, ConnectionClosed)):
                async with await open_socket(server, client, result.room.id) as socket:
                    await asyncio.wait_for(socket.recv(), 5)


async def test_nudges_travel_through_redis_between_instances(database, tmp_path) -> None:
    """Two app instances sharing Redis: a reply posted on one reaches a socket on the other."""
    shared = on_redis().sections  # this run's namespace on the shared Redis
    result = await builders.room(ERIKA)
    async with (
        serving(database, tmp_path / "a", **shared) as first,
        serving(database, tmp_path / "b", **shared) as second,
        httpx.AsyncClient(base_url=first) as erika,
        httpx.AsyncClient(base_url=second) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{result.room.id}")
        async with await open_socket(first, erika, result.room.id, after=1) as socket:
            await post(sabine, result.room.id, "Über Redis.")
            frame = str(await asyncio.wait_for(socket.recv(), 5))
            assert "Über Redis." in frame


@both
async def test_a_removed_participants_socket_stops_at_once(server, people) -> None:
    from websockets.exceptions import ConnectionClosedError

    from rooms.kernel.tables import Participant

    erika, sabine = people
    result = await builders.room(ERIKA)
    await sabine.get(f"/rooms/{result.room.id}")
    async with await open_socket(server, erika, result.room.id, after=1) as socket:
        await Participant.update({Participant.revoked_at: result.room.created_at}).where(
            (Participant.room == result.room.id) & (Participant.role == "applicant")
        )
        await post(sabine, result.room.id, "Nicht mehr für Erika.")
        with pytest.raises(ConnectionClosedError) as closed:
            async with asyncio.timeout(1):
                frame = str(await socket.recv())
                pytest.fail(f"a removed participant received: {frame}")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


@both
async def test_removing_a_representative_closes_their_socket_within_a_second(server) -> None:
    from websockets.exceptions import ConnectionClosedError

    from rooms.casework.representatives import (
        check_create_invitation,
        check_redeem_invitation,
        participants,
    )
    from tests.cast import JONAS

    result = await builders.room(ERIKA)
    invitation = await check_create_invitation(ERIKA, result.room.id)
    await check_redeem_invitation(JONAS, invitation.code)
    [_, representative] = await participants(result.room.id)
    async with (
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as jonas,
    ):
        await login(erika, "erika")
        await login(jonas, "jonas")
        await erika.get(f"/rooms/{result.room.id}")
        async with await open_socket(server, jonas, result.room.id, after=1) as socket:
            removed = await erika.post(
                f"/rooms/{result.room.id}/representatives/{representative.id}/remove",
                data={"_csrf_token": csrf(erika)},
            )
            assert removed.status_code == 303
            with pytest.raises(ConnectionClosedError) as closed:
                async with asyncio.timeout(1):
                    while True:
                        await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def frame_where(socket: ClientConnection, *marks: str) -> str:
    """The next frame that contains every one of ``marks`` (others pass by)."""
    async with asyncio.timeout(10):
        while True:
            frame = str(await socket.recv())
            if all(mark in frame for mark in marks):
                return frame


@both
async def test_each_action_reaches_the_other_participants_open_socket(database, tmp_path) -> None:
    """Through the served app: a caseworker's message, an upload (turning clean live),
    a decision (its document made available live, its retrieval evidenced live) and the
    close each reach the other side's socket; each socket's reading reaches the author.

    The scanner polls once an hour here: files turn clean promptly only because the
    upload and the decision wake it.
    """
    from app.settings import ScanningSettings

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    result = await builders.room(ERIKA)
    room = result.room.id
    page = f"/rooms/{room}"
    slow = ScanningSettings(poll_seconds=3600)  # the development clamd
    async with (
        serving(database, tmp_path, scanning=slow) as server,
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(page)
        await erika.get(page)
        async with (
            await open_socket(server, erika, room, after=1) as erikas,
            await open_socket(server, sabine, room, after=1) as sabines,
        ):
            await post(sabine, room, "Bitte den Mietvertrag.")
            frame = await frame_where(erikas, 'hx-target="#timeline"', 'id="item-2"')
            assert "Bitte den Mietvertrag." in frame
            # Erika's open page shows it: read over her socket, seen on Sabine's.
            frame = await frame_where(sabines, 'hx-target="#receipt-2"')
            assert "Gelesen am" in frame

            uploaded = await erika.post(
                f"{page}/uploads",
                data={"_csrf_token": csrf(erika)},
                files=[("file", ("mietvertrag.pdf", pdf, "application/pdf"))],
            )
            assert uploaded.status_code == 303, uploaded.text
            frame = await frame_where(sabines, 'hx-target="#timeline"', 'id="item-3"')
            # Pending, or clean already when the woken scanner was quicker than the socket:
            # either way the verdict's own frame follows.
            assert "mietvertrag.pdf" in frame
            frame = await frame_where(sabines, 'hx-target="#item-3"', "attachment--clean")
            assert "/attachments/" in frame

            issued = await sabine.post(
                f"{page}/decisions",
                data={"_csrf_token": csrf(sabine), "summary": "Ihr Antrag wird bewilligt."},
                files=[("document", ("bescheid.pdf", pdf, "application/pdf"))],
            )
            assert issued.status_code == 303, issued.text
            frame = await frame_where(erikas, 'hx-target="#timeline"', 'id="item-4"')
            assert "Ihr Antrag wird bewilligt." in frame  # pending or clean, as above
            frame = await frame_where(erikas, 'hx-target="#room-status"')
            assert "Entschieden" in frame
            frame = await frame_where(erikas, 'hx-target="#item-4"', "Dies ist Ihr Bescheid.")
            link = re.search(r'href="(/rooms/[^"]+/attachments/[^"]+)"', frame)
            assert link is not None

            download = await erika.get(link.group(1))  # streamed; recorded when complete
            assert download.status_code == 200 and download.content == pdf
            frame = await frame_where(sabines, 'hx-target="#item-4"', "decision--retrieved")
            assert "Erstmals abgerufen am" in frame

            closed = await sabine.post(
                f"{page}/close", data={"confirm": "yes", "_csrf_token": csrf(sabine)}
            )
            assert closed.status_code == 303, closed.text
            frame = await frame_where(erikas, 'hx-target="#room-status"', 'hx-target="#composer"')
            assert 'hx-target="#upload-section" hx-swap="delete"' in frame
