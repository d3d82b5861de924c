"""The domain's vocabulary: the fixed values that rows hold and the code speaks in."""

from __future__ import annotations

from enum import StrEnum


class AuthorityKind(StrEnum):
    stadt = "Stadt"
    kreis = "Kreis"
    amt = "Amt"
    gemeinde = "Gemeinde"
    ministerium = "Ministerium"


class RoomStatus(StrEnum):
    """The room's lifecycle: a closed room is read-only."""

    open = "open"
    closed = "closed"


class RoomProgress(StrEnum):
    """Where the application stands, as the applicant sees it while the room is open."""

    received = "received"
    in_progress = "in_progress"
    waiting = "waiting"
    """Waiting for the applicant (an answer, documents)."""
    decided = "decided"


class TrustLevelColumn(StrEnum):
    normal = "normal"
    substantial = "substantial"
    high = "high"


class ApplicantKind(StrEnum):
    person = "person"
    organisation = "organisation"


class ParticipantRole(StrEnum):
    applicant = "applicant"
    caseworker = "caseworker"
    representative = "representative"


class Side(StrEnum):
    """Which side of the room wrote an item."""

    applicant = "applicant"
    authority = "authority"


class ItemKind(StrEnum):
    """What a timeline item is."""

    message = "message"
    request = "request"
    upload = "upload"
    decision = "decision"


class RequestItemState(StrEnum):
    open = "open"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"


class ScanState(StrEnum):
    """An attachment's way through the virus scan; only ``clean`` is downloadable."""

    pending = "pending"
    clean = "clean"
    infected = "infected"


class DeliveryState(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"


class NotificationState(StrEnum):
    pending = "pending"
    sent = "sent"
    undeliverable = "undeliverable"
    """The address was refused for good; recorded and shown, not retried."""
    failed = "failed"
    """Retries exhausted."""
    skipped = "skipped"
    """The recipient's preferences say no."""
