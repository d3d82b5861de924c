"""Piccolo tables of the rooms domain.

Composite uniqueness lives in unique indexes created by the migrations (see
``UNIQUE_INDEXES``): SQLite cannot add table constraints after creation, and Piccolo
adds ``Unique`` constraints with ALTER TABLE.
"""

from __future__ import annotations

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

from rooms.kernel.account_tables import AccountAddress
from rooms.kernel.vocabulary import (
    ApplicantKind,
    AuthorityKind,
    DeliveryState,
    ItemKind,
    NotificationState,
    ParticipantRole,
    RequestItemState,
    RoomProgress,
    RoomStatus,
    ScanState,
    Side,
    TrustLevelColumn,
)


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
    scopes = JSON(default=["rooms:read", "rooms:write", "events:read"])
    """What this credential may do; see ``rooms.casestore.clients.SCOPES``."""


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
    progress = Varchar(length=20, choices=RoomProgress, default=RoomProgress.received)
    closed_at = Timestamptz(null=True, default=None)
    assignee_subject = Varchar(length=255, default="", index=True)
    """The caseworker the room is assigned to (staff subject), or empty."""
    assignee_name = Varchar(length=200, default="")
    team = Varchar(length=100, default="")
    """The team the room is assigned to, or empty."""


class Participant(Table):
    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    role = Varchar(length=20, choices=ParticipantRole)
    kind = Varchar(length=20, choices=ApplicantKind, default="person")
    subject = Varchar(length=255, index=True)
    issuer = Varchar(length=255, default="")
    """Applicant side: the provider of ``subject`` (unique per issuer only); see the migration."""
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
    """A one-time code that makes its redeemer a representative (only its SHA-256 kept)."""

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


class Decision(Table):
    """A decision (Bescheid) in a room, with the facts that evidence its delivery.

    ``made_available_at``: when the applicant could first retrieve the document
    (its file scanned clean). ``first_retrieved_*``: the applicant side's first
    authenticated download and the SHA-256 of what it received (§9 OZG, §41 (2a) VwVfG).
    """

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    message = ForeignKey(Message, null=False)
    attachment = ForeignKey(Attachment, null=False, index=True)
    """Looked up on every clean verdict and applicant download."""
    summary = Text()
    source = Varchar(length=20, default="room")
    """Where it was issued: ``room`` (a caseworker) or ``api`` (the case store)."""
    created_at = Timestamptz(default=TimestamptzNow())
    made_available_at = Timestamptz(null=True, default=None)
    first_retrieved_at = Timestamptz(null=True, default=None)
    first_retrieved_by = ForeignKey(Participant, null=True, default=None)
    first_retrieved_sha256 = Varchar(length=64, default="")


class InternalNote(Table):
    """A staff note in a room, apart from the timeline: no applicant query can reach it."""

    id = UUID(primary_key=True)
    room = ForeignKey(Room, null=False, index=True)
    kind = Varchar(length=20, default="note")
    """``note``, or ``handover`` when written with an assignment."""
    author_subject = Varchar(length=255)
    author_name = Varchar(length=200)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class TextTemplate(Table):
    """A text block (Textbaustein) of an authority, with placeholders."""

    id = UUID(primary_key=True)
    authority = ForeignKey(Authority, null=False, index=True)
    name = Varchar(length=100)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class IdempotencyRecord(Table):
    """The first answer to a POST with an ``Idempotency-Key``, replayed on repeats."""

    id = UUID(primary_key=True)
    client = ForeignKey(ApiClient, null=False)
    key = Varchar(length=255)
    method = Varchar(length=10)
    path = Varchar(length=500)
    request_hash = Varchar(length=64)
    status_code = Integer(default=0)
    """0 while the first request is still being processed."""
    response_body = Text(default="")
    response_headers = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class WebhookSubscription(Table):
    """An endpoint of an authority that receives its events (Standard Webhooks)."""

    id = UUID(primary_key=True)
    authority = ForeignKey(Authority, null=False, index=True)
    url = Varchar(length=2000)
    secret = Varchar(length=200)
    """``whsec_`` + base64 key; needed in clear to sign, shown once at creation."""
    event_types = JSON(default=[])
    """Types to deliver; empty: all."""
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class WebhookDelivery(Table):
    """One event for one subscription; written with the event, in its transaction."""

    id = Serial(primary_key=True)
    event = ForeignKey(OutboxEvent, null=False, index=True)
    subscription = ForeignKey(WebhookSubscription, null=False, index=True)
    room = UUID(null=True, default=None)
    """Copied from the event: deliveries of one room and subscription go in order."""
    state = Varchar(length=20, choices=DeliveryState, default=DeliveryState.pending)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_until = Timestamptz(null=True, default=None)
    last_attempt_at = Timestamptz(null=True, default=None)
    last_status = Integer(null=True, default=None)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)


class Notification(Table):
    """A content-free notice to one person on one channel; never sent twice.

    ``dedupe_key`` names its cause (the event, the reminder day, the digest window)
    so that the same cause cannot produce a second notice.
    """

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=300, unique=True)
    authority = ForeignKey(Authority, null=False, index=True)
    room = ForeignKey(Room, null=True, default=None, index=True)
    recipient_realm = Varchar(length=20)
    """``citizen``, ``business`` or ``staff``."""
    recipient_subject = Varchar(length=255)
    recipient_issuer = Varchar(length=255, default="")  # applicants: the subject's provider
    recipient_name = Varchar(length=200, default="")
    channel = Varchar(length=30)
    """``email``, ``bundid_postbox``, ``osi_postbox``."""
    address = Varchar(length=320, default="")
    reason = Varchar(length=30)
    """``reply``, ``documents``, ``decision``, ``reminder``, ``overdue``, ``digest``."""
    language = Varchar(length=5, default="de")
    deadline = Date(null=True, default=None)
    state = Varchar(length=20, choices=NotificationState, default=NotificationState.pending)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class ContactPreference(Table):
    """How a person wants to be told: per realm, issuer and subject, across rooms."""

    id = UUID(primary_key=True)
    realm = Varchar(length=20)
    issuer = Varchar(length=255, default="")  # applicants' provider; staff: "" (as participants)
    subject = Varchar(length=255)
    email = Varchar(length=320, default="")
    email_enabled = Boolean(default=True)
    postbox_enabled = Boolean(default=True)
    language = Varchar(length=5, default="de")
    digest = Varchar(length=20, default="daily")
    """Staff only: ``off``, ``hourly`` or ``daily`` digests of applicant activity."""
    updated_at = Timestamptz(default=TimestamptzNow())


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
    # The client address of the request that caused it ("" for the workers' own events).
    source = Varchar(length=45, default="")


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
    Decision,
    InternalNote,
    TextTemplate,
    IdempotencyRecord,
    WebhookSubscription,
    WebhookDelivery,
    Notification,
    ContactPreference,
    AccountAddress,
    AuditEvent,
)


_PERSON = ("realm", "issuer", "subject")  # whose preferences and account address
# name -> (table, columns); created by the migrations on both databases.
UNIQUE_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "room_authority_case_ref_key": ("room", ("authority", "case_ref")),
    "participant_room_role_subject_key": ("participant", ("room", "role", "subject")),
    "message_room_seq_key": ("message", ("room", "seq")),
    "receipt_message_participant_key": ("receipt", ("message", "participant")),
    "text_template_authority_name_key": ("text_template", ("authority", "name")),
    "idempotency_record_client_key_key": ("idempotency_record", ("client", "key")),
    "webhook_delivery_event_subscription_key": ("webhook_delivery", ("event", "subscription")),
    "contact_preference_realm_issuer_subject_key": ("contact_preference", _PERSON),
    "account_address_realm_issuer_subject_key": ("account_address", _PERSON),
}
