"""The postbox adapter against a local HTTP server that checks what it receives.

The real BundID/OSI postbox interfaces are not reachable here: the adapter speaks our
documented placeholder interface (JSON notice, bearer token), tested end to end.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.notify.worker import NotificationWorker, policy_of
from app.settings import NotificationSettings
from rooms.casework.posting import check_post_message
from rooms.kernel.tables import Room
from rooms.outbound.notify.policy import configure
from tests.cast import ERIKA, SABINE
from tests.notify.conftest import PORTAL, Clock, notifications, room_for

pytestmark = pytest.mark.usefixtures("database")

TOKEN = "postbox-token-123"
SECRET = "Ihre Steuer-ID fehlt"
FIELDS = {"notice_id", "channel", "recipient", "sender", "language", "subject", "text", "link"}


class Postbox:
    """Accepts a notice with the right token and a complete body; 404 for unknown people."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused: list[int] = []
        self.unknown: set[str] = set()
        self.down = False
        postbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = postbox.answer(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notices"

    def answer(self, headers: Any, body: bytes) -> int:
        if self.down:
            status = 503
        elif headers.get("Authorization") != f"Bearer {TOKEN}":
            status = 401
        elif headers.get("Content-Type") != "application/json":
            status = 415
        else:
            notice = json.loads(body)
            if set(notice) != FIELDS:
                status = 400
            elif notice["recipient"] in self.unknown:
                status = 404
            else:
                self.received.append(notice)
                return 202
        self.refused.append(status)
        return status


@pytest.fixture
def postbox() -> Iterator[Postbox]:
    box = Postbox()
    thread = threading.Thread(target=box.server.serve_forever, daemon=True)
    thread.start()
    yield box
    box.server.shutdown()
    box.server.server_close()


def worker_for(box: Postbox, clock: Clock, token: str = TOKEN) -> NotificationWorker:
    settings = NotificationSettings(bundid_postbox_url=box.url, bundid_postbox_token=token)
    return NotificationWorker(settings, PORTAL, clock=clock)


@pytest.fixture(autouse=True)
def bundid_postbox_configured(postbox: Postbox) -> Iterator[None]:
    previous = configure(policy_of(NotificationSettings(bundid_postbox_url=postbox.url)))
    yield
    configure(previous)


async def test_an_authority_message_posts_a_content_free_notice(
    postbox: Postbox, clock: Clock
) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    await worker_for(postbox, clock).run_once()

    [notice] = postbox.received
    row = await Room.select(Room.case_ref).where(Room.id == room_id).first()
    assert row is not None
    assert notice["channel"] == "bundid_postbox"
    assert notice["recipient"] == ERIKA.applicant_subject
    assert notice["sender"] == "Stadt Musterstadt"
    assert row["case_ref"] in notice["subject"]
    assert notice["link"] == f"{PORTAL}/rooms/{room_id}"
    assert "Nachricht" in notice["text"] and "Steuer-ID" not in json.dumps(notice)
    states = {r["channel"]: r["state"] for r in await notifications(room=room_id)}
    assert states == {"email": "sent", "bundid_postbox": "sent"}  # e-mail to the log


async def test_an_unknown_recipient_is_undeliverable(postbox: Postbox, clock: Clock) -> None:
    postbox.unknown.add(ERIKA.applicant_subject)
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    worker = worker_for(postbox, clock)
    await worker.run_once()
    clock.advance(days=1)
    await worker.run_once()
    [row] = await notifications(room=room_id, channel="bundid_postbox")
    assert row["state"] == "undeliverable" and row["last_error"].startswith("404")
    assert postbox.refused == [404]


@pytest.mark.parametrize("problem", ["down", "wrong_token"])
async def test_a_postbox_that_is_down_or_refuses_our_token_is_retried(
    postbox: Postbox, clock: Clock, problem: str
) -> None:
    postbox.down = problem == "down"
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, SECRET)
    await worker_for(postbox, clock, token=TOKEN if problem == "down" else "wrong").run_once()
    assert postbox.received == []
    assert postbox.refused == [503 if problem == "down" else 401]
    [row] = await notifications(room=room_id, channel="bundid_postbox")
    assert row["state"] == "pending" and row["attempts"] == 1
    postbox.down = False
    clock.advance(minutes=2)
    await worker_for(postbox, clock).run_once()
    assert len(postbox.received) == 1
