"""The app runs the notification worker in its lifespan; the embedded default logs mail."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app import create_app
from app.settings import NotificationSettings
from rooms.casework.posting import check_post_message
from tests.cast import ERIKA, SABINE
from tests.conftest import make_settings
from tests.notify.conftest import notifications, room_for
from tests.servers import running

pytestmark = pytest.mark.usefixtures("database")


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_the_embedded_default_writes_the_mail_to_the_log(database, tmp_path) -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    settings = make_settings(tmp_path, notifications=NotificationSettings(poll_seconds=0.05))
    application = create_app(settings, engine=database)
    # the app configures the root logger (replacing pytest's handler): listen on ours
    kept, logger = Kept(), logging.getLogger("antragsraum.notify")
    logger.addHandler(kept)
    level, logger.level = logger.level, logging.INFO
    async with running(application):
        await check_post_message(SABINE, room_id, "Ihre Steuer-ID fehlt")
        async with asyncio.timeout(10):
            while (await notifications(room=room_id))[0]["state"] != "sent":  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    logger.removeHandler(kept)
    logger.setLevel(level)
    logged = "\n".join(kept.lines)
    assert "erika@example.org" in logged and "Neue Nachricht zu Ihrem Antrag" in logged
    assert f"/rooms/{room_id}" in logged
    assert "Steuer-ID" not in logged
