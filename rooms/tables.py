"""Piccolo tables of the rooms domain.

Composite uniqueness lives in unique indexes created by the migrations (see
``UNIQUE_INDEXES``): SQLite cannot add table constraints after creation, and Piccolo
adds ``Unique`` constraints with ALTER TABLE.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuthorityKind(StrEnum):
    stadt = "Stadt"
    kreis = "Kreis"
    amt = "Amt"
    gemeinde = "Gemeinde"
    ministerium = "Ministerium"


class RoomStatus(StrEnum):
    open = "open"
    closed = "closed"


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


class Authority(Table):
    id = UUID(primary_key=True)
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, choices=AuthorityKind)
    allowed_networks = JSON(default=[])
    """CIDR ranges staff of this authority may work from; empty: nowhere."""
    created_at = Timestamptz(default=TimestamptzNow())


class ApiClient(Table):
    """A machine credential of one authority; only the SHA-256 of its token is kept."""

    id = UUID(primary_key=True)
    authority = ForeignKey(Authority, null=False)
    name = Varchar(length=200)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Room(Table):
    id = UUID(primary_key=True)
    authority = ForeignKey(Authority, null=False, index=True)
    case_ref = Varchar(length=100)
    title = Varchar(length=300)
    status = Varchar(length=20, choices=RoomStatus, default=RoomStatus.open)
    min_trust_level = Varchar(length=20, choices=TrustLevelColumn, default="normal")
    last_seq = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    last_activity_at = Timestamptz(default=TimestamptzNow())


class Participant(Table):
    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    role = Varchar(length=20, choices=ParticipantRole)
    kind = Varchar(length=20, choices=ApplicantKind, default="person")
    subject = Varchar(length=255, index=True)
    name = Varchar(length=200)
    email = Varchar(length=320, default="")
    added_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Message(Table):
    """One timeline item; ``seq`` numbers the items of one room without gaps."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False)
    seq = Integer()
    author = ForeignKey(Participant, null=True)
    side = Varchar(length=20, choices=Side)
    author_name = Varchar(length=200)
    on_behalf_of = Varchar(length=200, default="")
    """For whom the author acted: the applicant (representatives, organisations)."""
    kind = Varchar(length=20, choices=ItemKind, default=ItemKind.message)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class DocumentRequest(Table):
    """A caseworker's request for documents, with a deadline; a timeline item."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    message = ForeignKey(Message, null=False)
    deadline = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class RequestItem(Table):
    """One document on a request's checklist."""

    id = UUID(primary_key=True)
    request = ForeignKey(DocumentRequest, null=False, index=True)
    position = Integer()
    label = Varchar(length=200)
    required = Boolean(default=True)
    state = Varchar(length=20, choices=RequestItemState, default=RequestItemState.open)
    reason = Text(default="")
    """The caseworker's reason when the item was rejected."""
    updated_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table):
    """A stored file; quarantined (``pending``) until the scanner says ``clean``."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    message = ForeignKey(Message, null=False)
    request_item = ForeignKey(RequestItem, null=True, default=None)
    storage_key = Varchar(length=200, unique=True)
    name = Varchar(length=255)
    """The sanitised original name, for display and download."""
    mime = Varchar(length=100)
    size = BigInt()
    sha256 = Varchar(length=64)
    scan_state = Varchar(length=20, choices=ScanState, default=ScanState.pending, index=True)
    signature = Varchar(length=200, default="")
    uploaded_by = ForeignKey(Participant, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    scanned_at = Timestamptz(null=True, default=None)


class Invitation(Table):
    """A one-time code that makes its redeemer a representative in a room.

    Only the SHA-256 of the code is kept; the code is shown once to its creator.
    """

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    code_hash = Varchar(length=64, unique=True)
    label = Varchar(length=200, default="")
    created_by = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    redeemed_at = Timestamptz(null=True, default=None)
    redeemed_by = ForeignKey(Participant, null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Receipt(Table):
    """When a participant first saw a message."""

    id = UUID(primary_key=True)
    message = ForeignKey(Message, null=False)
    participant = ForeignKey(Participant, null=False)
    side = Varchar(length=20, choices=Side)
    read_at = Timestamptz(default=TimestamptzNow())


class OutboxEvent(Table):
    """What happened, for the case store: written in the same transaction as the change.

    ``id`` orders the feed (the cursor); ``event_id`` is the stable webhook id. The
    data carries ids and facts, never message bodies or personal data.
    """

    id = Serial(primary_key=True)
    event_id = UUID(unique=True)
    authority = ForeignKey(Authority, null=False, index=True)
    room = ForeignKey(Room, null=True, default=None)
    type = Varchar(length=64)
    data = JSON(default={})
    occurred_at = Timestamptz(default=TimestamptzNow())


class AuditEvent(Table):
    """A pseudonymous fact: who (hashed), did what, where, with which outcome.

    Never message bodies, file contents or tokens.
    """

    id = UUID(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    action = Varchar(length=64, index=True)
    outcome = Varchar(length=16, default="ok")
    actor = Varchar(length=64, default="")
    actor_kind = Varchar(length=20, default="")
    authority = ForeignKey(Authority, null=True, default=None)
    room = ForeignKey(Room, null=True, default=None, index=True)
    detail = JSON(default={})


TABLES: tuple[type[Table], ...] = (
    Authority,
    ApiClient,
    Room,
    Participant,
    Message,
    DocumentRequest,
    RequestItem,
    Attachment,
    Invitation,
    Receipt,
    OutboxEvent,
    AuditEvent,
)


# name -> (table, columns); created by the migrations on both databases.
UNIQUE_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "room_authority_case_ref_key": ("room", ("authority", "case_ref")),
    "participant_room_role_subject_key": ("participant", ("room", "role", "subject")),
    "message_room_seq_key": ("message", ("room", "seq")),
    "receipt_message_participant_key": ("receipt", ("message", "participant")),
}
