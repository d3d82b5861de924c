"""What each action puts on the live channel, and whether it wakes the scanner, through the app.

Before facts were recorded once, every handler published its action's live events
after commit and woke the scanner after files; these tests pin that the facts give
exactly the same nudges (kind, room, seq, side, seqs) on the room's channel and the
same wake-ups, for the pages, the machine API, the streamed download of a decision
and the scanner's verdicts; and nothing for what is refused or fails.
"""

from __future__ import annotations

import asyncio
import base64
import re
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.channels import ChannelsPlugin

from app import create_app
from app.settings import ScanningSettings
from rooms.casework.representatives import participants
from rooms.casework.requests import open_requests
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.events import Nudge, channel_for, decode
from rooms.kernel.tables import Attachment, Decision, Message
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings
from tests.login import csrf, login
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML_AS_PNG = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


class Wire:
    """What an app put on its rooms' live channels, and how often it woke its scanner."""

    def __init__(self, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[tuple[str, Nudge]] = []
        self.wakes = 0
        channels = app.plugins.get(ChannelsPlugin)
        publish = channels.publish

        def spy(data: Any, channels: str | Iterable[str]) -> None:
            names = [channels] if isinstance(channels, str) else list(channels)
            self.sent += [(name, decode(data)) for name in names if name.startswith("room:")]
            publish(data, names)

        monkeypatch.setattr(channels, "publish", spy)
        scanner_wakeup = app.state.scan_wakeup

        class CountingWakeup:
            def set(_self) -> None:
                self.wakes += 1
                scanner_wakeup.set()  # the scanner still wakes (and stops at shutdown)

        app.state.scan_wakeup = CountingWakeup()

    def take(self) -> tuple[list[tuple[str, Nudge]], int]:
        """What was sent and how many wake-ups since the last look."""
        taken = (self.sent, self.wakes)
        self.sent, self.wakes = [], 0
        return taken


def nudges(room_id: object) -> Any:
    """A maker of the nudges expected on ``room_id``'s channel."""
    channel = channel_for(uuid.UUID(str(room_id)))

    def nudge(
        kind: Any, seq: int = 0, side: str = "", seqs: tuple[int, ...] = ()
    ) -> tuple[str, Nudge]:
        return channel, Nudge(kind=kind, room=str(room_id), seq=seq, side=side, seqs=seqs)

    return nudge


def expect(response: httpx.Response, status: int) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


async def upload(client: httpx.AsyncClient, room_id: object, **params: str) -> httpx.Response:
    return await client.post(
        f"/rooms/{room_id}/uploads",
        params=params,
        data={"_csrf_token": csrf(client)},
        files=[("file", ("nachweis.pdf", PDF, "application/pdf"))],
    )


async def issue(client: httpx.AsyncClient, room_id: object, content: bytes = PDF) -> httpx.Response:
    return await client.post(
        f"/rooms/{room_id}/decisions",
        data={"_csrf_token": csrf(client), "summary": "Bewilligt."},
        files=[("document", ("bescheid.pdf", content, "application/pdf"))],
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
async def quiet_app(database, tmp_path) -> AsyncIterator[Litestar]:  # type: ignore[no-untyped-def]
    """The app with its scanner away: files stay pending, so no verdict nudges in between."""
    away = ScanningSettings(clamd_address=f"unix:{tmp_path}/no-clamd.sock", poll_seconds=3600)
    application = create_app(make_settings(tmp_path, scanning=away), engine=database)
    async with running(application):
        yield application


async def test_each_page_action_sends_the_nudges_it_sent_before(quiet_app, monkeypatch) -> None:
    app = quiet_app
    room = (await builders.room(ERIKA)).room.id  # outside any request: nothing sent
    nudge = nudges(room)
    page = f"/rooms/{room}"
    deadline = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    async with in_process(app) as sabine, in_process(app) as erika, in_process(app) as jonas:
        for client, persona in ((sabine, "sabine"), (erika, "erika"), (jonas, "jonas")):
            await login(client, persona)
        wire = Wire(app, monkeypatch)

        await sabine.get(page)  # nothing of the applicant's side to read yet
        assert wire.take() == ([], 0)
        expect(
            await sabine.post(
                f"{page}/messages", data={"body": "Frage", "_csrf_token": csrf(sabine)}
            ),
            303,
        )
        assert wire.take() == ([nudge("item", 2)], 0)
        await erika.get(page)  # reads the authority's two items
        assert wire.take() == ([nudge("read", side="applicant", seqs=(1, 2))], 0)
        await erika.get(page)  # read already: nothing new
        assert wire.take() == ([], 0)

        request_form = {"explanation": "Bitte:", "items": "Nachweis", "deadline": deadline}
        expect(
            await sabine.post(
                f"{page}/requests", data={**request_form, "_csrf_token": csrf(sabine)}
            ),
            303,
        )
        assert wire.take() == ([nudge("item", 3)], 0)
        [request] = await open_requests(room)
        item = request.items[0].id
        expect(await upload(erika, room, item=str(item)), 303)  # answers the request item
        assert wire.take() == ([nudge("item", 4), nudge("changed", 3)], 1)
        await sabine.get(page)
        assert wire.take() == ([nudge("read", side="authority", seqs=(4,))], 0)
        review = {"decision": "accept", "_csrf_token": csrf(sabine)}
        expect(await sabine.post(f"{page}/request-items/{item}/review", data=review), 303)
        assert wire.take() == ([nudge("changed", 3)], 0)
        expect(await upload(erika, room), 303)  # a free upload
        assert wire.take() == ([nudge("item", 5)], 1)

        expect(await issue(sabine, room), 303)  # the item, and progress "decided"
        assert wire.take() == ([nudge("item", 6), nudge("room")], 1)
        status = {"progress": "in_progress", "_csrf_token": csrf(sabine)}
        expect(await sabine.post(f"{page}/status", data=status), 303)
        assert wire.take() == ([nudge("room")], 0)
        expect(await sabine.post(f"{page}/status", data=status), 303)  # unchanged
        assert wire.take() == ([], 0)
        assignment = {"assignee": "", "team": "Wohngeld", "note": "", "_csrf_token": csrf(sabine)}
        expect(await sabine.post(f"{page}/assignment", data=assignment), 303)
        assert wire.take() == ([nudge("room")], 0)

        invited = expect(
            await erika.post(f"{page}/invitations", data={"_csrf_token": csrf(erika)}), 200
        )
        code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', invited.text)
        assert code is not None
        assert wire.take() == ([], 0)
        await jonas.get("/einladung", params={"code": code.group(1)})
        redeem = {"code": code.group(1), "_csrf_token": csrf(jonas)}
        expect(await jonas.post("/einladung", data=redeem), 303)
        assert wire.take() == ([nudge("access")], 0)
        [representative] = [p for p in await participants(room) if p.role == "representative"]
        removal = f"{page}/representatives/{representative.id}/remove"
        expect(await erika.post(removal, data={"_csrf_token": csrf(erika)}), 303)
        assert wire.take() == ([nudge("access")], 0)

        # The decision's document scans clean (outside any request: nothing sent), then
        # the applicant's first complete download is recorded while the body streams.
        decision = await Decision.select(Decision.attachment).first()
        assert decision is not None
        await do_record_verdict(decision["attachment"], clean=True)
        assert wire.take() == ([], 0)
        document = f"{page}/attachments/{decision['attachment']}"
        assert expect(await erika.get(document), 200).content == PDF
        assert wire.take() == ([nudge("changed", 6)], 0)
        expect(await erika.get(document), 200)  # not the first retrieval any more
        assert wire.take() == ([], 0)

        close = {"confirm": "yes", "_csrf_token": csrf(sabine)}
        expect(await sabine.post(f"{page}/close", data=close), 303)
        assert wire.take() == ([nudge("room")], 0)


async def test_each_api_action_sends_the_nudges_it_sent_before(quiet_app, monkeypatch) -> None:
    app = quiet_app
    _, token = await builders.client()
    headers = {"Authorization": f"Bearer {token}"}
    intake = {
        "case_ref": "VG-2026-424242",
        "title": "Antrag auf Wohngeld",
        "applicant": {"subject": ERIKA.applicant_subject, "kind": "person", "name": "Erika"},
        "message": {"body": "Willkommen."},
    }
    async with in_process(app) as http:
        wire = Wire(app, monkeypatch)
        created = expect(await http.post("/api/v1/rooms", json=intake, headers=headers), 201)
        room = created.json()["id"]
        nudge = nudges(room)
        assert wire.take() == ([nudge("item", 1)], 0)  # room.created itself is no nudge
        expect(await http.post("/api/v1/rooms", json=intake, headers=headers), 200)  # again
        assert wire.take() == ([], 0)

        url = f"/api/v1/rooms/{room}"
        message = {"body": "Ohne Anhang."}
        expect(await http.post(f"{url}/messages", json=message, headers=headers), 201)
        assert wire.take() == ([nudge("item", 2)], 0)
        with_file = {
            "body": "Mit Anhang.",
            "attachments": [{"name": "a.pdf", "content_base64": b64(PDF)}],
        }
        expect(await http.post(f"{url}/messages", json=with_file, headers=headers), 201)
        assert wire.take() == ([nudge("item", 3)], 1)
        decision = {
            "summary": "Bewilligt.",
            "document": {"name": "bescheid.pdf", "content_base64": b64(PDF)},
        }
        expect(await http.post(f"{url}/decisions", json=decision, headers=headers), 201)
        assert wire.take() == ([nudge("item", 4), nudge("room")], 1)
        progress = {"progress": "waiting"}
        expect(await http.post(f"{url}/status", json=progress, headers=headers), 200)
        assert wire.take() == ([nudge("room")], 0)
        expect(await http.post(f"{url}/close", headers=headers), 200)
        assert wire.take() == ([nudge("room")], 0)


async def test_the_woken_scanners_verdicts_are_nudged_from_its_worker_task(
    database, tmp_path, monkeypatch
) -> None:
    """The scanner polls once an hour here: only the upload's wake-up scans at once."""
    slow = ScanningSettings(poll_seconds=3600)  # the development clamd
    application = create_app(make_settings(tmp_path, scanning=slow), engine=database)
    room = (await builders.room(ERIKA)).room.id
    nudge = nudges(room)
    async with running(application), in_process(application) as erika:
        await login(erika, "erika")
        await erika.get(f"/rooms/{room}")
        wire = Wire(application, monkeypatch)
        expect(await upload(erika, room), 303)
        async with asyncio.timeout(10):
            while len(wire.sent) < 2:  # noqa: ASYNC110 - the scanner runs in its own task
                await asyncio.sleep(0.02)
        assert wire.take() == ([nudge("item", 2), nudge("changed", 2)], 1)
        [row] = await Attachment.select(Attachment.scan_state)
        assert row["scan_state"] == "clean"


@pytest.mark.on_both_backends  # a real subscription: Redis keeps the order too
async def test_what_is_refused_or_fails_sends_nothing_and_wakes_no_scanner(
    quiet_app, monkeypatch
) -> None:
    """Subscribed to the room's channel: after the refused and failed requests, a marker
    published by the test is the first thing that arrives. The channel keeps order,
    so a nudge sent by any of the requests would have come first."""
    app = quiet_app
    result = await builders.room(ERIKA)
    room = result.room.id
    _, token = await builders.client()
    api = {"Authorization": f"Bearer {token}"}
    channels = app.plugins.get(ChannelsPlugin)
    async with (
        in_process(app) as sabine,
        in_process(app) as erika,
        channels.start_subscription([channel_for(room)]) as subscriber,
    ):
        await login(sabine, "sabine")
        await login(erika, "erika")
        await sabine.get(f"/rooms/{room}")
        await erika.get(f"/rooms/{room}")  # everything read: a re-rendered page marks nothing
        events = subscriber.iter_events()
        assert decode(await asyncio.wait_for(anext(events), 5)).kind == "read"  # Erika's
        publish_unseen = channels.publish  # the marker below bypasses the spy
        wire = Wire(app, monkeypatch)

        empty = {"body": "   ", "_csrf_token": csrf(erika)}
        expect(await erika.post(f"/rooms/{room}/messages", data=empty), 422)
        htmx = {"HX-Request": "true", "x-csrftoken": csrf(erika)}
        expect(await erika.post(f"/rooms/{room}/messages", data=empty, headers=htmx), 422)
        not_a_pdf = ("bild.png", HTML_AS_PNG, "image/png")
        refused_upload = await erika.post(
            f"/rooms/{room}/uploads", data={"_csrf_token": csrf(erika)}, files=[("file", not_a_pdf)]
        )
        expect(refused_upload, 422)
        expect(await issue(sabine, room, content=HTML_AS_PNG), 422)
        bad_file = {
            "body": "x",
            "attachments": [{"name": "a.png", "content_base64": b64(HTML_AS_PNG)}],
        }
        url = f"/api/v1/rooms/{room}/messages"
        expect(await httpx_post(app, url, bad_file, api), 422)
        expect(await erika.post(f"/rooms/{room}/close", data={"_csrf_token": csrf(erika)}), 404)

        # A post that fails after its item was recorded: the item, its outbox row and
        # its announcement roll back together.
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the disk is full")

        with_file = {"body": "y", "attachments": [{"name": "a.pdf", "content_base64": b64(PDF)}]}
        with monkeypatch.context() as patched:
            patched.setattr("rooms.casework.posting.do_add_attachments", broken)
            expect(await httpx_post(app, url, with_file, api), 500)

        assert await Message.count().where(Message.room == room) == result.room.last_seq
        assert wire.take() == ([], 0)
        marker = f"marker-{uuid.uuid4()}".encode()
        publish_unseen(marker, channels=[channel_for(room)])
        assert await asyncio.wait_for(anext(events), 5) == marker


async def httpx_post(
    app: Litestar, url: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """A case store's request (no browser cookies); server errors answered, not raised."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        return await http.post(url, json=body, headers=headers)


@pytest.mark.on_both_backends
async def test_two_apps_in_one_process_each_nudge_their_own_channels(
    database, tmp_path, monkeypatch
) -> None:
    room = (await builders.room(ERIKA)).room.id
    nudge = nudges(room)
    first = create_app(make_settings(tmp_path / "a"), engine=database)
    second = create_app(make_settings(tmp_path / "b"), engine=database)
    async with (
        running(first),
        running(second),
        in_process(first) as sabine,
        in_process(second) as erika,
    ):
        await login(sabine, "sabine")
        await login(erika, "erika")
        await sabine.get(f"/rooms/{room}")
        on_first, on_second = Wire(first, monkeypatch), Wire(second, monkeypatch)
        message = {"body": "Über die erste.", "_csrf_token": csrf(sabine)}
        expect(await sabine.post(f"/rooms/{room}/messages", data=message), 303)
        assert (on_first.take(), on_second.take()) == (([nudge("item", 2)], 0), ([], 0))
        expect(await upload(erika, room), 303)
        assert (on_first.take(), on_second.take()) == (([], 0), ([nudge("item", 3)], 1))


async def test_a_nudge_that_fails_breaks_neither_the_answer_nor_the_next_nudge(
    quiet_app, monkeypatch
) -> None:
    app = quiet_app
    room = (await builders.room(ERIKA)).room.id
    nudge = nudges(room)
    deadline = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    async with in_process(app) as sabine, in_process(app) as erika:
        await login(sabine, "sabine")
        await login(erika, "erika")
        await sabine.get(f"/rooms/{room}")
        form = {"explanation": "Bitte:", "items": "Nachweis", "deadline": deadline}
        expect(
            await sabine.post(
                f"/rooms/{room}/requests", data={**form, "_csrf_token": csrf(sabine)}
            ),
            303,
        )
        [request] = await open_requests(room)
        wire = Wire(app, monkeypatch)
        channels = app.plugins.get(ChannelsPlugin)
        recording = channels.publish
        calls = 0

        def first_fails(data: Any, channels: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("the channel is away")
            recording(data, channels)

        monkeypatch.setattr(channels, "publish", first_fails)
        answered = await upload(erika, room, item=str(request.items[0].id))  # two facts
        expect(answered, 303)
        assert answered.headers["location"] == f"/rooms/{room}#item-3"
        sent, _ = wire.take()
        assert sent == [nudge("changed", 2)]  # the item's own nudge failed, the next went out
        assert await Message.count().where(Message.room == room) == 3
