"""The vocabulary of notifications: channels, reasons, digest periods, languages.

A preference's realm is the kind of actor it belongs to (``ActorKind``).
"""

from __future__ import annotations

from enum import StrEnum


class ChannelKind(StrEnum):
    """The channels a notification row can be planned for (its ``channel`` column)."""

    email = "email"
    bundid_postbox = "bundid_postbox"
    osi_postbox = "osi_postbox"


class Reason(StrEnum):
    reply = "reply"
    documents = "documents"
    decision = "decision"
    reminder = "reminder"
    overdue = "overdue"
    digest = "digest"


class Digest(StrEnum):
    off = "off"
    hourly = "hourly"
    daily = "daily"


LANGUAGES = ("de", "en")
