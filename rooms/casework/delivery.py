"""Where a decision stands on its way to the applicant, and the law's days.

Under §41 (2a) VwVfG a decision made available for retrieval counts as announced on
the day after its retrieval; if it is not retrieved within ten days, it does not
count and the authority must announce it another way. ``DecisionView`` derives these
facts; it never decides anything with the wall clock itself (``now`` is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from rooms.kernel.records import AttachmentView
from rooms.kernel.vocabulary import ScanState

RETRIEVAL_DAYS = 10
"""§41 (2a) VwVfG: retrieved within ten days of being made available, or not announced."""
LEGAL_TIMEZONE = ZoneInfo("Europe/Berlin")
"""Days in the sense of the law are German calendar days."""


class DecisionDeliveryState:
    """Where a decision stands on its way to the applicant (see ``DecisionView.state``)."""

    scanning = "scanning"
    """The document is still being scanned: not yet available."""
    blocked = "blocked"
    """The scanner refused the document: never available; issue it again."""
    awaiting = "awaiting"
    """Available, not retrieved yet, the ten days are still running."""
    retrieved = "retrieved"
    """Retrieved within the ten days: announced on the day after."""
    retrieved_late = "retrieved_late"
    """Retrieved, but after the ten days: not announced by retrieval."""
    not_retrieved = "not_retrieved"
    """Not retrieved within the ten days: not announced; deliver another way."""


@dataclass(frozen=True)
class DecisionView:
    id: UUID
    room_id: UUID
    message_id: UUID
    seq: int
    summary: str
    source: str
    created_at: datetime
    made_available_at: datetime | None
    first_retrieved_at: datetime | None
    first_retrieved_by_name: str
    first_retrieved_by_role: str
    first_retrieved_sha256: str
    document: AttachmentView

    @property
    def retrieval_last_day(self) -> date | None:
        """The tenth German calendar day after the day the document was made available.

        The law counts days, not hours (§31 (1) VwVfG with §§187 (1), 188 (1) BGB): the
        day of the event does not count, and the period ends when its last day ends.
        Ten times 24 hours would end at another hour of the day, and an hour off where
        the clocks change.
        """
        if self.made_available_at is None:
            return None
        made_available_on = self.made_available_at.astimezone(LEGAL_TIMEZONE).date()
        return made_available_on + timedelta(days=RETRIEVAL_DAYS)

    @property
    def retrieval_deadline(self) -> datetime | None:
        """The instant the ten days are over: the start of the day after the last day."""
        last_day = self.retrieval_last_day
        if last_day is None:
            return None
        return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LEGAL_TIMEZONE)

    @property
    def retrieved_in_time(self) -> bool:
        deadline = self.retrieval_deadline
        return (
            self.first_retrieved_at is not None
            and deadline is not None
            and self.first_retrieved_at < deadline
        )

    @property
    def announced_on(self) -> date | None:
        """The day the decision counts as announced: the day after a timely retrieval."""
        if not self.retrieved_in_time or self.first_retrieved_at is None:
            return None
        return self.first_retrieved_at.astimezone(LEGAL_TIMEZONE).date() + timedelta(days=1)

    def state(self, now: datetime) -> str:
        if self.document.scan_state == ScanState.infected.value:
            return DecisionDeliveryState.blocked
        deadline = self.retrieval_deadline
        if deadline is None:
            return DecisionDeliveryState.scanning
        if self.first_retrieved_at is not None:
            return (
                DecisionDeliveryState.retrieved
                if self.retrieved_in_time
                else DecisionDeliveryState.retrieved_late
            )
        if now >= deadline:
            return DecisionDeliveryState.not_retrieved
        return DecisionDeliveryState.awaiting
