"""Text templates (Textbausteine): text blocks an authority's admin keeps, with placeholders.

Placeholders are written in braces: ``{antragsteller}``, ``{aktenzeichen}``, ``{frist}``
(English aliases ``{applicant}``, ``{case_ref}``, ``{deadline}``). A text with an
unknown placeholder or unbalanced braces is refused when it is saved, so that a
caseworker never inserts a half-filled text.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from rooms.casework.requests import open_requests
from rooms.casework.timeline import clean_body
from rooms.kernel import audit
from rooms.kernel.access import access_authority_admin, access_room, access_template, parse_id
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import DomainError, Invalid, NotFound
from rooms.kernel.records import RoomAccess, TemplateView
from rooms.kernel.tables import Participant, TextTemplate
from rooms.kernel.text import INVALID_CHARACTERS, holds_nul
from rooms.kernel.vocabulary import ParticipantRole

MAX_NAME_LENGTH = 100
MAX_BODY_LENGTH = 10_000
NO_DEADLINE = "[Frist]"
"""Filled in for ``{frist}`` when the room has no open request: left for the caseworker."""

# placeholder -> what it is filled with
PLACEHOLDERS = {
    "antragsteller": "applicant",
    "aktenzeichen": "case_ref",
    "frist": "deadline",
    "applicant": "applicant",
    "case_ref": "case_ref",
    "deadline": "deadline",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateInvalid(Invalid):
    """A refused text, naming the offending placeholder when there is one."""

    def __init__(self, errors: dict[str, str], placeholder: str = "") -> None:
        super().__init__(errors)
        self.placeholder = placeholder


def check_placeholders(body: str) -> None:
    """Refuse unbalanced braces and unknown placeholders (named in the error)."""
    depth = 0
    for ch in body:
        if ch == "{":
            depth += 1
            if depth > 1:
                raise TemplateInvalid({"body": "unbalanced"})
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise TemplateInvalid({"body": "unbalanced"})
    if depth:
        raise TemplateInvalid({"body": "unbalanced"})
    for match in _PLACEHOLDER.finditer(body):
        name = match.group(1)
        if name.strip().lower() not in PLACEHOLDERS:
            raise TemplateInvalid({"body": "unknown_placeholder"}, placeholder=name)


def validate(name: str, body: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    clean_name = " ".join(name.split())
    if not clean_name:
        errors["name"] = "empty"
    elif len(clean_name) > MAX_NAME_LENGTH:
        errors["name"] = "too_long"
    elif holds_nul(clean_name):
        errors["name"] = INVALID_CHARACTERS
    text = ""
    try:
        text = clean_body(body, MAX_BODY_LENGTH)
    except Invalid as exc:
        errors["body"] = exc.errors["body"]
    if errors:
        raise TemplateInvalid(errors)
    check_placeholders(text)
    return clean_name, text


def fill(body: str, values: dict[str, str]) -> str:
    """Replace each placeholder by its value (``values`` keyed by what it is filled with)."""

    def value(match: re.Match[str]) -> str:
        kind = PLACEHOLDERS.get(match.group(1).strip().lower())
        return values.get(kind, match.group(0)) if kind else match.group(0)

    return _PLACEHOLDER.sub(value, body)


async def templates_of(authority_id: UUID) -> list[TemplateView]:
    rows: list[dict[str, Any]] = (
        await TextTemplate.select(
            TextTemplate.id, TextTemplate.name, TextTemplate.body, TextTemplate.updated_at
        )
        .where(TextTemplate.authority == authority_id)
        .order_by(TextTemplate.name)
    )
    return [TemplateView.from_row(r) for r in rows]


async def admin_template(actor: Actor | None, template_id: UUID | str) -> TemplateView:
    """One template of the admin's own authority; ``NotFound`` for anything else."""
    _, template = await access_template(actor, template_id)
    return template


async def _name_taken(authority_id: UUID, name: str, but: UUID | None = None) -> bool:
    where = (TextTemplate.authority == authority_id) & (TextTemplate.name == name)
    if but is not None:
        where &= TextTemplate.id != but
    return bool(await TextTemplate.exists().where(where))


@asynccontextmanager
async def _unique_name(actor: Actor | None, name: str) -> AsyncIterator[None]:
    """Turn a lost race for a name into "taken" instead of a server error.

    Two admins saving the same name at once both pass ``_name_taken``; the unique
    index on (authority, name) refuses the second insert (PostgreSQL; SQLite runs one
    writer at a time). Afterwards the name is there to find.
    """
    try:
        yield
    except DomainError:
        raise
    except Exception:
        admin = await access_authority_admin(actor)
        clean_name = " ".join(name.split())  # as validate() cleans it
        if clean_name and await _name_taken(admin.authority_id, clean_name):
            raise TemplateInvalid({"name": "taken"}) from None
        raise


async def check_create_template(actor: Actor | None, name: str, body: str) -> UUID:
    async with _unique_name(actor, name), write_transaction():
        admin = await access_authority_admin(actor)
        clean_name, text = validate(name, body)
        if await _name_taken(admin.authority_id, clean_name):
            raise TemplateInvalid({"name": "taken"})
        template = TextTemplate(authority=admin.authority_id, name=clean_name, body=text)
        await template.save()
        await audit.record("text_template_created", actor=actor, authority_id=admin.authority_id)
    return UUID(str(template.id))


async def check_update_template(
    actor: Actor | None, template_id: UUID | str, name: str, body: str
) -> None:
    async with _unique_name(actor, name), write_transaction():
        admin, current = await access_template(actor, template_id)
        clean_name, text = validate(name, body)
        if await _name_taken(admin.authority_id, clean_name, but=current.id):
            raise TemplateInvalid({"name": "taken"})
        await TextTemplate.update(
            {
                TextTemplate.name: clean_name,
                TextTemplate.body: text,
                TextTemplate.updated_at: datetime.now(UTC),
            }
        ).where(TextTemplate.id == current.id)
        await audit.record("text_template_changed", actor=actor, authority_id=admin.authority_id)


async def check_delete_template(actor: Actor | None, template_id: UUID | str) -> None:
    async with write_transaction():
        admin, current = await access_template(actor, template_id)
        await TextTemplate.delete().where(TextTemplate.id == current.id)
        await audit.record("text_template_deleted", actor=actor, authority_id=admin.authority_id)


def format_deadline(value: date) -> str:
    return value.strftime("%d.%m.%Y")


async def filled_template(actor: Actor | None, room_id: UUID | str, template_id: UUID | str) -> str:
    """The template filled in for the room, for a caseworker of the room's authority.

    ``{frist}`` becomes the deadline of the room's next open document request, or
    ``[Frist]`` for the caseworker to replace when there is none.
    """
    access = await access_room(actor, room_id, staff_only=True)
    text = await fill_for_room(access, template_id)
    if text is None:
        raise NotFound()
    return text


async def fill_for_room(access: RoomAccess, template_id: UUID | str) -> str | None:
    """:func:`filled_template` for a room already passed by the gate (``staff_only``);
    ``None`` when the id names no template of the room's authority (any more)."""
    try:
        tid = parse_id(template_id)
    except NotFound:
        return None
    row: dict[str, Any] | None = (
        await TextTemplate.select(TextTemplate.body)
        .where((TextTemplate.id == tid) & (TextTemplate.authority == access.room.authority_id))
        .first()
    )
    if row is None:
        return None
    applicant: dict[str, Any] | None = (
        await Participant.select(Participant.name)
        .where(
            (Participant.room == access.room.id)
            & (Participant.role == ParticipantRole.applicant.value)
            & Participant.revoked_at.is_null()
        )
        .order_by(Participant.added_at)
        .first()
    )
    deadlines = sorted(r.deadline for r in await open_requests(access.room.id))
    values = {
        "applicant": applicant["name"] if applicant else "",
        "case_ref": access.room.case_ref,
        "deadline": format_deadline(deadlines[0]) if deadlines else NO_DEADLINE,
    }
    return fill(str(row["body"]), values)
