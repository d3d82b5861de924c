"""One interface for every way of telling a person: ``await channel.send(notice)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Notice:
    """A rendered, content-free notice for one person on one channel."""

    id: UUID
    channel: str
    address: str
    """The e-mail address (empty for postboxes, which address ``recipient_subject``)."""
    recipient_subject: str
    recipient_name: str
    authority_name: str
    language: str
    subject: str
    text: str
    html: str
    link: str
    short_text: str
    """One or two sentences for a postbox entry: what is needed, and the deadline."""


class Undeliverable(Exception):
    """The recipient was refused for good (SMTP 5xx on the recipient, an unknown postbox)."""


class TemporaryFailure(Exception):
    """Anything else that went wrong (server away, timeout, 4xx): try again later."""


class Channel(Protocol):
    async def send(self, notice: Notice) -> None:
        """Deliver, or raise :class:`Undeliverable` / :class:`TemporaryFailure`."""
        ...
