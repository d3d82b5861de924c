"""Lists of rooms: an applicant's applications and an authority's inbox.

Each list is one SQL statement over the rooms with the facts a row needs computed
as subqueries (unread items, the last item of each side, open and overdue document
requests, documents awaiting review): no query per row. Filters, counts and sorting
of the inbox work on those facts in Python, so every filter and its count agree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.tables import Room
from rooms.kernel.vocabulary import ApplicantKind, RoomProgress, RoomStatus, Side

MAX_SEARCH_LENGTH = 100
"""Longer search input is cut: nobody types more, and LIKE patterns stay cheap."""

_LIKE_ESCAPE = "!"

# Only constant SQL is concatenated here; every value is a bound parameter ({}).
# The viewer's side is bound twice ("items of the other side nobody on my side read"),
# then today's date for overdue requests.
_OPEN_ITEM = """EXISTS (SELECT 1 FROM request_item i
                 WHERE i.request = d.id AND i.required
                   AND i.state IN ('open', 'rejected'))"""
_LAST_AUTHORITY_SEQ = """COALESCE((SELECT MAX(x.seq) FROM message x
                    WHERE x.room = r.id AND x.side = 'authority'), 0)"""
_FACTS = f"""
SELECT r.id, r.title, r.case_ref, r.status, r.progress, r.last_activity_at, r.created_at,
       r.assignee_subject, r.assignee_name, r.team,
       a.name AS authority_name,
       (SELECT p.name FROM participant p
         WHERE p.room = r.id AND p.role = 'applicant' AND p.revoked_at IS NULL
         ORDER BY p.added_at LIMIT 1) AS applicant_name,
       (SELECT COUNT(*) FROM message m
         WHERE m.room = r.id AND m.side <> {{}}
           AND NOT EXISTS (SELECT 1 FROM receipt c WHERE c.message = m.id AND c.side = {{}})
       ) AS unread,
       {_LAST_AUTHORITY_SEQ} AS last_authority_seq,
       COALESCE((SELECT MAX(m.seq) FROM message m
                  WHERE m.room = r.id AND m.side = 'authority'
                    AND m.kind IN ('message', 'request')), 0) AS last_question_seq,
       COALESCE((SELECT MAX(m.seq) FROM message m
                  WHERE m.room = r.id AND m.side = 'applicant'), 0) AS last_applicant_seq,
       (SELECT MIN(m.created_at) FROM message m
         WHERE m.room = r.id AND m.side = 'applicant'
           AND m.seq > {_LAST_AUTHORITY_SEQ}) AS waiting_since,
       (SELECT COUNT(*) FROM message m
         WHERE m.room = r.id AND m.side = 'applicant' AND m.kind = 'upload'
           AND m.seq > {_LAST_AUTHORITY_SEQ}) AS new_uploads,
       (SELECT COUNT(*) FROM request_item i JOIN document_request d ON d.id = i.request
         WHERE d.room = r.id AND i.state = 'submitted') AS submitted_items,
       (SELECT COUNT(*) FROM document_request d
         WHERE d.room = r.id AND {_OPEN_ITEM}) AS open_requests,
       (SELECT COUNT(*) FROM document_request d
         WHERE d.room = r.id AND d.deadline < {{}} AND {_OPEN_ITEM}) AS overdue_requests,
       (SELECT MIN(d.deadline) FROM document_request d
         WHERE d.room = r.id AND {_OPEN_ITEM}) AS next_deadline
FROM room r JOIN authority a ON a.id = r.authority
"""  # noqa: S608 - constant SQL fragments only; values are bound parameters


class InboxFilter(StrEnum):
    """The inbox's views; every one but ``geschlossen`` shows open rooms only."""

    alle = "alle"
    neu = "neu"
    """New applicant replies the authority side has not read."""
    unterlagen = "unterlagen"
    """Documents received: submitted items awaiting review, or uploads since our last word."""
    ueberfaellig = "ueberfaellig"
    """Open document requests past their deadline."""
    wartet = "wartet"
    """Awaiting the applicant: progress "waiting", requests running, or our word was last;
    rooms with an overdue request are left to ``ueberfaellig``."""
    mir = "mir"
    """Assigned to the viewer."""
    geschlossen = "geschlossen"


class InboxSort(StrEnum):
    wartezeit = "wartezeit"
    """The applicant side's oldest unanswered item first (the default)."""
    aktivitaet = "aktivitaet"
    """The latest activity first."""


@dataclass(frozen=True)
class RoomRow:
    """One room in a list, with the facts its row and the filters need."""

    id: UUID
    title: str
    case_ref: str
    authority_name: str
    status: str
    progress: str
    last_activity_at: datetime
    created_at: datetime
    applicant_name: str
    unread: int
    """Items of the other side that nobody on the viewer's side has read."""
    assignee_subject: str = ""
    assignee_name: str = ""
    team: str = ""
    last_authority_seq: int = 0
    last_question_seq: int = 0
    """The authority's last message or document request."""
    last_applicant_seq: int = 0
    waiting_since: datetime | None = None
    """The applicant side's oldest item after the authority's last one (unanswered)."""
    new_uploads: int = 0
    submitted_items: int = 0
    open_requests: int = 0
    overdue_requests: int = 0
    next_deadline: date | None = None

    @property
    def closed(self) -> bool:
        return self.status == RoomStatus.closed.value

    @property
    def applicant_status(self) -> str:
        """received, in_progress, waiting, decided or closed."""
        return RoomStatus.closed.value if self.closed else self.progress

    def days_left(self, today: date) -> int | None:
        return None if self.next_deadline is None else (self.next_deadline - today).days

    def matches(self, view: InboxFilter, me: str) -> bool:
        if view is InboxFilter.geschlossen:
            return self.closed
        if self.closed:
            return False
        if view is InboxFilter.neu:
            return self.unread > 0
        if view is InboxFilter.unterlagen:
            return self.submitted_items > 0 or self.new_uploads > 0
        if view is InboxFilter.ueberfaellig:
            return self.overdue_requests > 0
        if view is InboxFilter.wartet:  # overdue rooms are in their own view
            return self.overdue_requests == 0 and (
                self.progress == RoomProgress.waiting.value
                or self.open_requests > 0
                or self.last_authority_seq > self.last_applicant_seq
            )
        if view is InboxFilter.mir:
            return bool(me) and self.assignee_subject == me
        return True

    @property
    def needs_applicant(self) -> bool:
        """For the applicant: the authority asked and has no answer yet, or wrote unread."""
        if self.closed:
            return False
        return (
            self.unread > 0
            or self.open_requests > 0
            or self.last_question_seq > self.last_applicant_seq
        )


INBOX_PAGE_SIZE = 50


@dataclass(frozen=True)
class Inbox:
    rows: list[RoomRow]
    """The rooms of the current page."""
    counts: dict[InboxFilter, int]
    view: InboxFilter
    sort: InboxSort
    query: str
    """The search as it was applied (cleaned and cut)."""
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    total: int = 0
    """Rooms in this view, on all pages."""
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class Applications:
    now: list[RoomRow]
    """What needs the applicant now: questions to answer, documents to send."""
    rest: list[RoomRow]
    today: date


def clean_search(text: str) -> str:
    """Search input as it is used: control characters dropped, blanks trimmed, cut."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return kept.strip()[:MAX_SEARCH_LENGTH].strip()


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere, its wildcards taken literally."""
    escaped = (
        text.lower()
        .replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _datetime(value: Any) -> datetime | None:
    """Aggregates lose their column type on SQLite: they arrive as ISO text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


def _rows(rows: list[dict[str, Any]]) -> list[RoomRow]:
    return [
        RoomRow(
            id=_uuid(row["id"]),
            title=row["title"],
            case_ref=row["case_ref"],
            authority_name=row["authority_name"],
            status=row["status"],
            progress=row["progress"] or RoomProgress.received.value,
            last_activity_at=_datetime(row["last_activity_at"]) or datetime.now(UTC),
            created_at=_datetime(row["created_at"]) or datetime.now(UTC),
            applicant_name=row["applicant_name"] or "",
            unread=int(row["unread"]),
            assignee_subject=row["assignee_subject"] or "",
            assignee_name=row["assignee_name"] or "",
            team=row["team"] or "",
            last_authority_seq=int(row["last_authority_seq"] or 0),
            last_question_seq=int(row["last_question_seq"] or 0),
            last_applicant_seq=int(row["last_applicant_seq"] or 0),
            waiting_since=_datetime(row["waiting_since"]),
            new_uploads=int(row["new_uploads"] or 0),
            submitted_items=int(row["submitted_items"] or 0),
            open_requests=int(row["open_requests"] or 0),
            overdue_requests=int(row["overdue_requests"] or 0),
            next_deadline=_date(row["next_deadline"]),
        )
        for row in rows
    ]


async def _applicant_rows(actor: Actor, today: date) -> list[RoomRow]:
    if actor.is_staff:
        return []
    kind = ApplicantKind.organisation if actor.kind is ActorKind.business else ApplicantKind.person
    side = Side.applicant.value
    sql = (
        _FACTS  # noqa: S608 - constant text only
        + """
WHERE EXISTS (SELECT 1 FROM participant p
               WHERE p.room = r.id AND p.role = 'applicant' AND p.kind = {}
                 AND p.subject = {} AND p.issuer = {} AND p.revoked_at IS NULL)
ORDER BY r.last_activity_at DESC
"""
    )
    rows: list[dict[str, Any]] = await Room.raw(
        sql, side, side, today, kind.value, actor.applicant_subject, actor.issuer
    )
    return _rows(rows)


async def applications_view(actor: Actor, *, today: date | None = None) -> Applications:
    """'Meine Anträge': what needs the applicant now (nearest deadline first), then the rest."""
    day = today or datetime.now(UTC).date()
    rows = await _applicant_rows(actor, day)
    now = [r for r in rows if r.needs_applicant]
    now.sort(key=lambda r: (r.next_deadline or date.max, -r.last_activity_at.timestamp()))
    return Applications(now=now, rest=[r for r in rows if not r.needs_applicant], today=day)


async def _authority_rows(actor: Actor, query: str, today: date) -> list[RoomRow]:
    if not actor.is_caseworker or not actor.authority_slug:
        return []
    side = Side.authority.value
    params: list[Any] = [side, side, today, actor.authority_slug]
    where = "WHERE a.slug = {}"
    if query:
        pattern = like_pattern(query)
        # LOWER on both sides: ILIKE is PostgreSQL's only; "!" escapes the wildcards.
        where += """
  AND (LOWER(r.case_ref) LIKE {} ESCAPE '!'
       OR LOWER(r.title) LIKE {} ESCAPE '!'
       OR EXISTS (SELECT 1 FROM participant s
                   WHERE s.room = r.id AND s.role = 'applicant'
                     AND LOWER(s.name) LIKE {} ESCAPE '!'))"""
        params += [pattern, pattern, pattern]
    sql = _FACTS + where  # constant text only; the values are bound
    rows: list[dict[str, Any]] = await Room.raw(sql, *params)
    return _rows(rows)


def _sorted(rows: list[RoomRow], sort: InboxSort) -> list[RoomRow]:
    by_activity = sorted(rows, key=lambda r: r.last_activity_at, reverse=True)
    if sort is InboxSort.aktivitaet:
        return by_activity
    # Longest waiting first; rooms nobody waits in follow, latest activity first.
    waiting = sorted(
        (r for r in by_activity if r.waiting_since is not None),
        key=lambda r: r.waiting_since or datetime.max.replace(tzinfo=UTC),
    )
    return waiting + [r for r in by_activity if r.waiting_since is None]


def parse_filter(value: str) -> InboxFilter:
    try:
        return InboxFilter(value)
    except ValueError:
        return InboxFilter.alle


def parse_sort(value: str) -> InboxSort:
    try:
        return InboxSort(value)
    except ValueError:
        return InboxSort.wartezeit


async def inbox_view(
    actor: Actor,
    *,
    view: InboxFilter = InboxFilter.alle,
    query: str = "",
    sort: InboxSort = InboxSort.wartezeit,
    today: date | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> Inbox:
    """The caseworker's inbox: one page of one view, the counts of every view, searched
    and sorted (a page past the end shows the last one)."""
    day = today or datetime.now(UTC).date()
    search = clean_search(query)
    rows = await _authority_rows(actor, search, day)
    me = actor.subject
    counts = {f: sum(1 for r in rows if r.matches(f, me)) for f in InboxFilter}
    shown = _sorted([r for r in rows if r.matches(view, me)], sort)
    size = page_size or INBOX_PAGE_SIZE
    pages = max(1, -(-len(shown) // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return Inbox(
        rows=shown[start : start + size],
        counts=counts,
        view=view,
        sort=sort,
        query=search,
        today=day,
        total=len(shown),
        page=page,
        pages=pages,
    )
