"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, and helpers."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller

from app.notify.worker import NotificationWorker
from app.settings import NotificationSettings
from rooms.kernel.tables import Notification, Participant
from tests import builders
from tests.servers import free_port

REFUSED = "refused@example.org"
PORTAL = "https://portal.example"


class Collector:
    """An SMTP handler: refuses RCPT for REFUSED with 550, keeps every message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 <refused@example.org>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    port: int
    collector: Collector = field(default_factory=Collector)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    def to(self, address: str) -> list[EmailMessage]:
        return self.collector.to(address)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server on a free loopback port."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A port where no SMTP server runs (yet): ``start()`` brings it up."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


class Clock:
    """An injectable clock: starts a moment after the real now, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def smtp_settings(port: int, **overrides: Any) -> NotificationSettings:
    return NotificationSettings(
        channel="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_timeout_seconds=30,
        from_address="antragsraum@portal.example",
        **overrides,
    )


def mail_worker(port: int, clock: Clock, **overrides: Any) -> NotificationWorker:
    return NotificationWorker(smtp_settings(port, **overrides), PORTAL, clock=clock)


async def room_for(applicant: Any, address: str, **kwargs: Any) -> UUID:
    """A room without an opening message whose applicant has this e-mail address."""
    await builders.authority()  # "Stadt Musterstadt"
    result = await builders.room(applicant, message=None, **kwargs)
    await Participant.update({Participant.email: address}).where(Participant.room == result.room.id)
    return result.room.id


async def notifications(**where: Any) -> list[dict[str, Any]]:
    query = Notification.select().order_by(Notification.created_at)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    rows: list[dict[str, Any]] = await query
    return rows


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]
