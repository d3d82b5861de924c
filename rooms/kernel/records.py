"""Plain read models handed out by the domain (instead of Piccolo row dicts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from rooms.kernel.actors import TrustLevel
from rooms.kernel.tables import RoomProgress, RoomStatus, Side


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
    """A room as one viewer may see it: the result of an access gate."""

    room: RoomRecord
    side: Side
    participant_id: UUID | None

    @property
    def other_side(self) -> Side:
        return Side.authority if self.side is Side.applicant else Side.applicant


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
