"""Plain read models handed out by the domain (instead of Piccolo row dicts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from rooms.kernel.actors import Actor, MachineClient, Principal, TrustLevel
from rooms.kernel.vocabulary import RoomProgress, RoomStatus, ScanState, Side


@dataclass(frozen=True)
class RoomRecord:
    id: UUID
    authority_id: UUID
    authority_slug: str
    authority_name: str
    case_ref: str
    title: str
    status: str
    min_trust_level: TrustLevel
    last_seq: int
    created_at: datetime
    last_activity_at: datetime
    progress: str = RoomProgress.received.value
    closed_at: datetime | None = None
    assignee_subject: str = ""
    assignee_name: str = ""
    team: str = ""

    @property
    def closed(self) -> bool:
        return self.status == RoomStatus.closed.value

    @property
    def applicant_status(self) -> str:
        """What the applicant is shown: received, in_progress, waiting, decided, closed."""
        return RoomStatus.closed.value if self.closed else self.progress

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoomRecord:
        return cls(
            id=_uuid(row["id"]),
            authority_id=_uuid(row["authority"]),
            authority_slug=row["authority.slug"],
            authority_name=row["authority.name"],
            case_ref=row["case_ref"],
            title=row["title"],
            status=row["status"],
            min_trust_level=TrustLevel.parse(row["min_trust_level"]),
            last_seq=row["last_seq"],
            created_at=row["created_at"],
            last_activity_at=row["last_activity_at"],
            progress=row.get("progress") or RoomProgress.received.value,
            closed_at=row.get("closed_at"),
            assignee_subject=row.get("assignee_subject") or "",
            assignee_name=row.get("assignee_name") or "",
            team=row.get("team") or "",
        )


@dataclass(frozen=True)
class RoomAccess:
    """A room as one principal may see it: the result of the room gate."""

    room: RoomRecord
    side: Side
    participant_id: UUID | None
    """The principal's participant row; None for a case store (and a caseworker's first visit)."""
    principal: Principal
    """Who passed the gate: only the gate makes a ``RoomAccess``."""
    representative: bool = False
    """On the applicant side as a representative (not the applicant itself)."""

    @property
    def other_side(self) -> Side:
        return Side.authority if self.side is Side.applicant else Side.applicant

    @property
    def person(self) -> Actor | None:
        """The person acting, or None for a case store."""
        return self.principal if isinstance(self.principal, Actor) else None

    @property
    def machine(self) -> MachineClient | None:
        return self.principal if isinstance(self.principal, MachineClient) else None

    @property
    def author_name(self) -> str:
        """The name a new item appears under: the person, or the case store's authority."""
        if isinstance(self.principal, MachineClient):
            return self.principal.authority_name
        return self.principal.name


@dataclass(frozen=True)
class AdminAccess:
    """An authority as its administrator may manage it."""

    authority_id: UUID
    authority_slug: str
    authority_name: str


@dataclass(frozen=True)
class TemplateView:
    """A text template of an authority."""

    id: UUID
    name: str
    body: str
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TemplateView:
        return cls(_uuid(row["id"]), row["name"], row["body"], row["updated_at"])


@dataclass(frozen=True)
class AttachmentView:
    id: UUID
    room_id: UUID
    message_id: UUID
    name: str
    mime: str
    size: int
    sha256: str
    scan_state: str
    storage_key: str

    @property
    def clean(self) -> bool:
        return self.scan_state == ScanState.clean.value

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AttachmentView:
        return cls(
            id=_uuid(row["id"]),
            room_id=_uuid(row["room"]),
            message_id=_uuid(row["message"]),
            name=row["name"],
            mime=row["mime"],
            size=int(row["size"]),
            sha256=row["sha256"],
            scan_state=row["scan_state"],
            storage_key=row["storage_key"],
        )


@dataclass(frozen=True)
class TimelineItem:
    id: UUID
    seq: int
    kind: str
    side: Side
    author_name: str
    on_behalf_of: str
    body: str
    created_at: datetime
    read_by_other_at: datetime | None
    mine: bool
    """Written by the viewer's side of the room (the layout follows sides)."""
    by_me: bool
    """Written by the viewer personally."""


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
