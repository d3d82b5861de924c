"""The worker the app runs in its lifespan delivers a posted message's event, content-free."""

from __future__ import annotations

import asyncio

import httpx

from app.settings import WebhookSettings
from rooms.kernel.authorities import find_authority
from rooms.outbound.webhooks.subscriptions import do_create_subscription
from tests import builders
from tests.cast import ERIKA
from tests.conftest import BASE_URL, make_settings
from tests.login import csrf, login
from tests.servers import running
from tests.webhooks.receiver import Receiver, receiving

SECRET_TEXT = "Meine Kontonummer endet auf Lindenhof-4471"


async def test_the_apps_own_worker_delivers_without_message_bodies(database, tmp_path) -> None:
    from app import create_app

    receiver = Receiver()
    settings = make_settings(
        tmp_path, webhooks=WebhookSettings(poll_seconds=0.05, require_https=False)
    )
    application = create_app(settings, engine=database)
    async with receiving(receiver) as url, running(application):
        authority = await find_authority(await builders.authority())
        assert authority
        _, receiver.secret = await do_create_subscription(authority, url, require_https=False)
        result = await builders.room(ERIKA, message=None)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url=BASE_URL
        ) as http:
            await login(http, "erika")
            await http.get("/antraege")
            posted = await http.post(
                f"/rooms/{result.room.id}/messages",
                data={"body": SECRET_TEXT, "_csrf_token": csrf(http)},
            )
            assert posted.status_code == 303, posted.text
        async with asyncio.timeout(20):  # a bound on the wait for the worker, not a timing
            await receiver.wait_for(accepted=2)
    types = [r.payload["type"] for r in receiver.accepted]
    assert types == ["room.created", "timeline.item_added"]
    assert all(r.payload is not None for r in receiver.received)
    for r in receiver.received:
        assert SECRET_TEXT not in r.body.decode()
        assert "Lindenhof" not in r.body.decode()
    item = receiver.accepted[1].payload["data"]
    assert item["room_id"] == str(result.room.id) and item["kind"] == "message"
