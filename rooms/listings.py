"""Lists of rooms: an applicant's applications and an authority's inbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from rooms.actors import Actor, ActorKind
from rooms.records import RoomSummary
from rooms.tables import ApplicantKind, Room, Side

# Only constant SQL is concatenated here; every value is a bound parameter ({}).
# Items of the other side that nobody on the viewer's side has read yet.
_SUMMARY = """
SELECT r.id, r.title, r.case_ref, r.status, r.last_activity_at,
       a.name AS authority_name,
       (SELECT p.name FROM participant p
         WHERE p.room = r.id AND p.role = 'applicant' AND p.revoked_at IS NULL
         LIMIT 1) AS applicant_name,
       (SELECT COUNT(*) FROM message m
         WHERE m.room = r.id AND m.side <> {}
           AND NOT EXISTS (SELECT 1 FROM receipt c WHERE c.message = m.id AND c.side = {})
       ) AS unread
FROM room r JOIN authority a ON a.id = r.authority
"""


def _summaries(rows: list[dict[str, Any]]) -> list[RoomSummary]:
    return [
        RoomSummary(
            id=row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"])),
            title=row["title"],
            case_ref=row["case_ref"],
            authority_name=row["authority_name"],
            status=row["status"],
            last_activity_at=row["last_activity_at"],
            applicant_name=row["applicant_name"] or "",
            unread=int(row["unread"]),
        )
        for row in rows
    ]


async def applications_for(actor: Actor) -> list[RoomSummary]:
    """The rooms in which ``actor`` (or their organisation) is the applicant."""
    if actor.is_staff:
        return []
    kind = ApplicantKind.organisation if actor.kind is ActorKind.business else ApplicantKind.person
    side = Side.applicant.value
    # Constant text only; every value is a bound parameter.
    sql = (
        _SUMMARY  # noqa: S608
        + """
WHERE EXISTS (SELECT 1 FROM participant p
               WHERE p.room = r.id AND p.role = 'applicant' AND p.kind = {}
                 AND p.subject = {} AND p.revoked_at IS NULL)
ORDER BY r.last_activity_at DESC
"""
    )
    rows: list[dict[str, Any]] = await Room.raw(
        sql, side, side, kind.value, actor.applicant_subject
    )
    return _summaries(rows)


async def inbox_for(actor: Actor) -> list[RoomSummary]:
    """The rooms of the caseworker's authority, those with unread replies first."""
    if not actor.is_caseworker or not actor.authority_slug:
        return []
    side = Side.authority.value
    # Constant text only; every value is a bound parameter.
    sql = (
        _SUMMARY
        + """
WHERE a.slug = {}
ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, unread DESC, r.last_activity_at DESC
"""
    )
    rows: list[dict[str, Any]] = await Room.raw(sql, side, side, actor.authority_slug)
    return _summaries(rows)
