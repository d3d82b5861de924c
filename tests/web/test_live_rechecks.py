"""The live socket's checks, each tested where only that check can make the test pass.

- Access is checked again for every nudge, not only on connect: the socket is past its
  backlog (so past the checks of the handshake) before the participant is removed.
- The Origin must equal an allowed origin: one that merely starts with it is refused.
- Items the socket delivers count as read: the other side sees the receipt, live and
  on its page, although the reader never loaded the page again.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from rooms.kernel.tables import Participant
from tests import builders
from tests.cast import ERIKA
from tests.login import login
from tests.web.test_live import (
    cookie_header,
    frame_where,
    open_socket,
    post,
    receive_items,
    ws_url,
)

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.on_both_backends]


@pytest.fixture
async def people(server):  # type: ignore[no-untyped-def]
    async with (
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        yield erika, sabine


async def test_a_participant_removed_while_the_socket_streams_gets_nothing_new(
    server, people
) -> None:
    erika, sabine = people
    result = await builders.room(ERIKA)
    await sabine.get(f"/rooms/{result.room.id}")
    async with await open_socket(server, erika, result.room.id, after=1) as socket:
        # Erika's own item arrived through a nudge: the socket is subscribed and every
        # check of the connect is behind it; being hers, it records no reading (which
        # would check access once more). Removing Erika now sends no nudge (a plain
        # UPDATE): only a check made for the next item can stop the socket.
        await post(erika, result.room.id, "Meine eigene Nachricht.")
        assert await receive_items(socket, 1) == [2]
        await Participant.update({Participant.revoked_at: result.room.created_at}).where(
            (Participant.room == result.room.id) & (Participant.role == "applicant")
        )
        await post(sabine, result.room.id, "Nicht mehr für Erika.")
        with pytest.raises(ConnectionClosedError) as closed:
            async with asyncio.timeout(5):
                while True:
                    frame = str(await socket.recv())
                    assert "Nicht mehr für Erika." not in frame, "a removed participant read it"
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


@pytest.mark.parametrize("suffix", [".evil.example", "0", "@evil.example", "/"])
async def test_an_origin_that_only_starts_with_the_allowed_one_is_refused(
    server, people, suffix: str
) -> None:
    erika, _ = people
    result = await builders.room(ERIKA)
    headers = {"Cookie": cookie_header(erika)}
    with pytest.raises((InvalidStatus, ConnectionClosed)) as refused:
        async with connect(
            ws_url(server, result.room.id),
            origin=f"{server}{suffix}",  # type: ignore[arg-type]
            additional_headers=headers,
        ) as socket:
            frame = await asyncio.wait_for(socket.recv(), 5)
            pytest.fail(f"a foreign origin received: {frame}")
    if isinstance(refused.value, ConnectionClosed):
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403
    # The allowed origin itself is served (the refusal is the suffix's doing).
    async with await open_socket(server, erika, result.room.id, after=0) as socket:
        assert await receive_items(socket, 1) == [1]


async def test_items_a_socket_delivers_are_read_for_the_other_side(server, people) -> None:
    erika, sabine = people
    result = await builders.room(ERIKA)
    page = f"/rooms/{result.room.id}"
    await sabine.get(page)  # Sabine's page is open before Erika writes
    await erika.get(page)
    async with (
        await open_socket(server, erika, result.room.id, after=1) as erikas,
        await open_socket(server, sabine, result.room.id, after=1) as sabines,
    ):
        await post(erika, result.room.id, "Bitte lesen.")
        assert await receive_items(sabines, 1) == [2]  # shown on Sabine's open page
        frame = await frame_where(erikas, 'hx-target="#receipt-2"')
        assert "Gelesen am" in frame
    # Recorded, not only announced: Erika's page says so too. Sabine loaded no page.
    reloaded = await erika.get(page)
    receipt = reloaded.text.split('id="receipt-2"', 1)[1].split("</p>", 1)[0]
    assert "Gelesen am" in receipt


async def test_a_socket_is_not_a_reader_of_its_own_side(server, people) -> None:
    """Erika's own socket delivering her message records no reading by the authority."""
    erika, _ = people
    result = await builders.room(ERIKA)
    page = f"/rooms/{result.room.id}"
    await erika.get(page)
    async with await open_socket(server, erika, result.room.id, after=1) as erikas:
        await post(erika, result.room.id, "Noch ungelesen.")
        assert await receive_items(erikas, 1) == [2]
    reloaded = await erika.get(page)
    receipt = reloaded.text.split('id="receipt-2"', 1)[1].split("</p>", 1)[0]
    assert "Noch nicht gelesen" in receipt
