"""What the live socket sends is the page's own markup for that viewer, forms included.

Every kind of timeline item (message, document request with open, submitted and
rejected items, uploads pending / clean / infected, decisions pending / clean /
blocked), in an open and a closed room, for every role: the socket's fragment of an
item equals the same item on the page that viewer loads, and the socket stays open.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from app.settings import ScanningSettings
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import check_issue_decision
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.representatives import check_create_invitation, check_redeem_invitation
from rooms.casework.requests import NewItem, check_create_request, check_review_item
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.actors import Actor
from rooms.kernel.tables import Attachment, RequestItem, Room
from rooms.kernel.vocabulary import RoomStatus
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, SABINE
from tests.conftest import serving
from tests.login import csrf, login
from tests.web.test_live import frame_where, open_socket

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.on_both_backends]

ITEM = re.compile(r'(<li id="item-(\d+)".*?</article>\s*</li>)', re.S)
LIMIT = 10**9


def items_of(html: str) -> dict[int, str]:
    """Each timeline item's whole markup by its sequence number."""
    return {int(seq): markup for markup, seq in ITEM.findall(html)}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored(files: Path, name: str) -> StoredFile:
    """A file in the served app's storage (the scanner finds it, and no clamd)."""
    key = f"rooms/test/{uuid.uuid4()}"
    (files / key).parent.mkdir(parents=True, exist_ok=True)
    (files / key).write_bytes(PDF)
    return StoredFile(key, name, "application/pdf", len(PDF), "ab" * 32)


async def files_of(seq: int, room_id: UUID) -> list[UUID]:
    rows = await Attachment.select(Attachment.id).where(
        (Attachment.room == room_id) & (Attachment.message.seq == seq)
    )
    return [UUID(str(r["id"])) for r in rows]


async def fill(files: Path, room_id: UUID, applicant: Actor, *, representative: bool) -> None:
    """One of every kind of item; the request's items open, submitted and rejected."""
    deadline = datetime.now(UTC).date() + timedelta(days=7)
    labels = [NewItem("Mietvertrag"), NewItem("Gehaltsnachweis"), NewItem("Ausweis", False)]
    await check_create_request(SABINE, room_id, "Bitte nachreichen.", labels, deadline)
    rows = await RequestItem.select(RequestItem.id).order_by(RequestItem.position)
    [submitted, rejected, _open] = [r["id"] for r in rows]
    await check_add_upload(
        applicant, room_id, [stored(files, "a.pdf")], item_id=submitted, room_limit=LIMIT
    )
    await check_add_upload(
        applicant, room_id, [stored(files, "b.pdf")], item_id=rejected, room_limit=LIMIT
    )
    await check_review_item(SABINE, room_id, rejected, accept=False, reason="Unleserlich.")
    for verdict in (None, True, False):  # a free upload pending, clean, infected
        posted = await check_add_upload(
            applicant, room_id, [stored(files, "f.pdf")], room_limit=LIMIT
        )
        if verdict is not None:
            await do_record_verdict(posted.attachment_ids[0], clean=verdict)
    await check_post_message(applicant, room_id, "Vom Antragsteller.", max_length=20_000)
    if representative:
        invitation = await check_create_invitation(applicant, room_id)
        await check_redeem_invitation(JONAS, invitation.code)
        await check_post_message(JONAS, room_id, "Vom Bevollmächtigten.", max_length=20_000)
    await check_post_message(SABINE, room_id, "Vom Amt.", max_length=20_000)
    for verdict in (None, True, False):  # decisions pending, available, blocked
        issued = await check_issue_decision(
            SABINE, room_id, "Bescheid.", stored(files, "bescheid.pdf")
        )
        if verdict is not None:
            [document] = await files_of(issued.seq, room_id)
            await do_record_verdict(document, clean=verdict)


async def backlog(socket: ClientConnection) -> dict[int, str]:
    return items_of(await frame_where(socket, 'hx-target="#timeline"'))


async def still_open(socket: ClientConnection) -> None:
    pong = await socket.ping()
    async with asyncio.timeout(5):
        await pong


ROLES = {"erika": ERIKA, "jonas": JONAS, "max": MAX, "sabine": SABINE}


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("role", list(ROLES))
async def test_the_socket_sends_each_item_as_the_page_shows_it(
    database, tmp_path, role: str, closed: bool
) -> None:
    applicant = MAX if role == "max" else ERIKA
    room = (await builders.room(applicant)).room.id
    await fill(tmp_path / "files", room, applicant, representative=applicant is ERIKA)
    if closed:
        await Room.update({Room.status: RoomStatus.closed.value}).where(Room.id == room)
    # No clamd: the files keep the states given above (a pending one stays pending).
    slow = ScanningSettings(clamd_address="unix:/nonexistent/clamd.sock", poll_seconds=3600)
    async with (
        serving(database, tmp_path, scanning=slow) as server,
        httpx.AsyncClient(base_url=server) as viewer,
    ):
        await login(viewer, role)
        page = await viewer.get(f"/rooms/{room}")
        assert page.status_code == 200, page.text
        on_page = items_of(page.text)
        token = csrf(viewer)
        async with await open_socket(server, viewer, room, after=0) as socket:
            live = await backlog(socket)
            assert sorted(live) == sorted(on_page) and len(live) >= 12
            for seq, markup in on_page.items():
                assert live[seq] == markup, f"item {seq} differs for {role}"
            request = on_page[2]
            form_token = f'value="{token}"'
            assert (form_token in request) is (not closed)  # the forms are there, with the token
            await still_open(socket)

            if closed:
                return
            # A change re-renders the request on the open page: again as a reload shows it.
            async with httpx.AsyncClient(base_url=server) as staff:
                if role == "sabine":
                    staff = viewer
                else:
                    await login(staff, "sabine")
                    await staff.get(f"/rooms/{room}")
                [submitted] = await RequestItem.select(RequestItem.id).where(
                    RequestItem.position == 0
                )
                reviewed = await staff.post(
                    f"/rooms/{room}/request-items/{submitted['id']}/review",
                    data={"decision": "accept", "_csrf_token": csrf(staff)},
                )
                assert reviewed.status_code == 303, reviewed.text
            changed = await frame_where(socket, 'hx-target="#item-2"')
            reloaded = items_of((await viewer.get(f"/rooms/{room}")).text)
            assert items_of(changed) == {2: reloaded[2]}
            await still_open(socket)
