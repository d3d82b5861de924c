"""What happened: one catalogue of the facts a change records, and what each sets off.

An action records a fact once (``rooms.outbound.outbox.do_record``). From that one
record follow, by what the fact's class declares here:

- ``TYPE``: the outbox row a case store receives (webhook and feed), written in the
  change's transaction; ``None`` for facts that stay inside the portal;
- ``NUDGE``: the small nudge on the live channel ("room R has item N"), published
  after commit and never before; a socket re-checks access and reads the database
  before it shows anything, so every participant of a room may learn of nudges;
- ``wakes_scanner``: files waiting for their virus scan.

The composition root decides who hears of committed facts (:func:`listening`): the
web app publishes nudges and wakes its scanner; a command line tool hears nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from uuid import UUID

import msgspec

from rooms.kernel.db import on_commit

NudgeKind = Literal["item", "changed", "read", "access", "room"]


class Nudge(msgspec.Struct, frozen=True):
    """The wire form of a fact on the live channel (ids only, no content)."""

    kind: NudgeKind
    room: str
    seq: int = 0
    side: str = ""
    seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Happened:
    """A fact about one room of one authority."""

    room_id: UUID
    authority_id: UUID

    TYPE: ClassVar[str | None] = None
    """The outbox type a case store receives, or None."""
    DESCRIPTION: ClassVar[str] = ""
    """What the outbox data holds (the API documents it)."""
    NUDGE: ClassVar[NudgeKind | None] = None

    def data(self) -> dict[str, Any]:
        """The outbox data: ids and facts, never content."""
        return {}

    def nudge(self) -> Nudge | None:
        if self.NUDGE is None:
            return None
        return Nudge(kind=self.NUDGE, room=str(self.room_id), seq=getattr(self, "seq", 0))

    @property
    def wakes_scanner(self) -> bool:
        return False


@dataclass(frozen=True)
class RoomCreated(Happened):
    case_ref: str = ""
    TYPE = "room.created"
    DESCRIPTION = "case_ref"

    def data(self) -> dict[str, Any]:
        return {"case_ref": self.case_ref}


@dataclass(frozen=True)
class ItemAdded(Happened):
    """A timeline item: a message, a request, an upload, a decision."""

    seq: int = 0
    kind: str = ""
    side: str = ""
    files: int = 0
    """How many quarantined files came with it."""
    TYPE = "timeline.item_added"
    DESCRIPTION = "seq, kind (message/request/upload/decision), side"
    NUDGE = "item"

    def data(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "side": self.side}

    @property
    def wakes_scanner(self) -> bool:
        return self.files > 0


@dataclass(frozen=True)
class ItemChanged(Happened):
    """An item's look changed without news for a case store (a request item submitted)."""

    seq: int = 0
    NUDGE = "changed"


@dataclass(frozen=True)
class ItemsRead(Happened):
    reader_side: str = ""
    seqs: tuple[int, ...] = ()

    def nudge(self) -> Nudge:
        return Nudge(kind="read", room=str(self.room_id), side=self.reader_side, seqs=self.seqs)


@dataclass(frozen=True)
class RequestItemReviewed(Happened):
    seq: int = 0
    request_item_id: UUID | None = None
    state: str = ""
    TYPE = "request_item.reviewed"
    DESCRIPTION = "request_item_id, state (accepted/rejected)"
    NUDGE = "changed"

    def data(self) -> dict[str, Any]:
        return {"request_item_id": str(self.request_item_id), "state": self.state}


@dataclass(frozen=True)
class AttachmentScanned(Happened):
    seq: int = 0
    attachment_id: UUID | None = None
    sha256: str = ""
    size: int = 0
    outcome: str = ""
    TYPE = "attachment.scanned"
    DESCRIPTION = "attachment_id, sha256, size, outcome (clean/infected)"
    NUDGE = "changed"

    def data(self) -> dict[str, Any]:
        return {
            "attachment_id": str(self.attachment_id),
            "sha256": self.sha256,
            "size": self.size,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class _ParticipantFact(Happened):
    participant_id: UUID | None = None
    role: str = ""
    DESCRIPTION = "participant_id, role"
    NUDGE = "access"
    """Every open socket of the room checks its access again."""

    def data(self) -> dict[str, Any]:
        return {"participant_id": str(self.participant_id), "role": self.role}


@dataclass(frozen=True)
class ParticipantAdded(_ParticipantFact):
    TYPE = "participant.added"


@dataclass(frozen=True)
class ParticipantRemoved(_ParticipantFact):
    """Someone left: a removed participant's socket closes at once."""

    TYPE = "participant.removed"


@dataclass(frozen=True)
class ProgressChanged(Happened):
    progress: str = ""
    TYPE = "room.status_changed"
    DESCRIPTION = "progress (received/in_progress/waiting/decided)"
    NUDGE = "room"

    def data(self) -> dict[str, Any]:
        return {"progress": self.progress}


@dataclass(frozen=True)
class RoomWasClosed(Happened):
    closed_at: str = ""
    TYPE = "room.closed"
    DESCRIPTION = "closed_at"
    NUDGE = "room"

    def data(self) -> dict[str, Any]:
        return {"closed_at": self.closed_at}


@dataclass(frozen=True)
class Assigned(Happened):
    """The room's assignee or team changed: headers re-render."""

    NUDGE = "room"


@dataclass(frozen=True)
class DecisionMadeAvailable(Happened):
    decision_id: UUID | None = None
    attachment_id: UUID | None = None
    sha256: str = ""
    made_available_at: str = ""
    TYPE = "decision.made_available"
    DESCRIPTION = "decision_id, attachment_id, sha256, made_available_at"

    def data(self) -> dict[str, Any]:
        return {
            "decision_id": str(self.decision_id),
            "attachment_id": str(self.attachment_id),
            "sha256": self.sha256,
            "made_available_at": self.made_available_at,
        }


@dataclass(frozen=True)
class DecisionRetrieved(Happened):
    seq: int = 0
    decision_id: UUID | None = None
    retrieved_at: str = ""
    sha256: str = ""
    TYPE = "decision.retrieved"
    DESCRIPTION = "decision_id, retrieved_at, sha256"
    NUDGE = "changed"

    def data(self) -> dict[str, Any]:
        return {
            "decision_id": str(self.decision_id),
            "retrieved_at": self.retrieved_at,
            "sha256": self.sha256,
        }


CATALOGUE: tuple[type[Happened], ...] = (
    RoomCreated,
    ItemAdded,
    ItemChanged,
    ItemsRead,
    RequestItemReviewed,
    AttachmentScanned,
    ParticipantAdded,
    ParticipantRemoved,
    ProgressChanged,
    RoomWasClosed,
    Assigned,
    DecisionMadeAvailable,
    DecisionRetrieved,
)

EVENT_TYPES: dict[str, str] = {c.TYPE: c.DESCRIPTION for c in CATALOGUE if c.TYPE is not None}
"""The types a case store may receive, and what their data holds."""


# --- who hears of committed facts ------------------------------------------------------

Listener = Callable[[Happened], None]
_listener: ContextVar[Listener | None] = ContextVar("event_listener", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Within this context (a request, a worker task), committed facts go to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def listen(listener: Listener) -> None:
    """Let ``listener`` hear committed facts in the current context, for good.

    For a context of its own (``contextvars.copy_context()``) that a long-lived
    worker task runs in; a request uses :func:`listening`.
    """
    _listener.set(listener)


def announce(fact: Happened) -> None:
    """Hand ``fact`` to the listener once the current transaction has committed.

    Outside a write transaction this fails, with or without a listener: a fact is
    recorded with the change it belongs to.
    """
    listener = _listener.get()

    def deliver() -> None:
        if listener is not None:
            listener(fact)

    on_commit(deliver)


# --- the live channel's wire form --------------------------------------------------------


def channel_for(room_id: UUID) -> str:
    return f"room:{room_id}"


def encode(nudge: Nudge) -> bytes:
    return msgspec.json.encode(nudge)


def decode(data: bytes | str) -> Nudge:
    return msgspec.json.decode(data, type=Nudge)
