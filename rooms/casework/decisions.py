"""Decisions (Bescheide) and the facts that evidence their delivery.

A caseworker issues a decision in the room, or the case store posts one through the
API: a summary and the decision document, which must be a PDF. The room records

- when the document was made available: when the applicant could first retrieve it,
  which is when its virus scan came back clean (``do_make_available``, called from
  the verdict's transaction);
- the applicant side's first authenticated retrieval: when, by whom, and the SHA-256
  of the bytes actually delivered (``check_record_retrieval``, exactly once).

What the delivery facts mean under §41 (2a) VwVfG is in ``rooms.casework.delivery``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from piccolo.custom_types import Combinable

from rooms.casework.attachments import (
    AttachmentView,
    StoredFile,
    attachments_by_message,
    do_add_attachments,
)
from rooms.casework.delivery import DecisionView
from rooms.casework.lifecycle import do_set_progress
from rooms.casework.timeline import author_of, clean_body, do_add_item
from rooms.files.filetypes import Detected, check, detect
from rooms.kernel import audit
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor, Principal
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.events import DecisionMadeAvailable, DecisionRetrieved
from rooms.kernel.records import RoomAccess
from rooms.kernel.tables import Attachment, Decision, Message
from rooms.kernel.vocabulary import ItemKind, RoomProgress, Side
from rooms.outbound.outbox import do_record

MAX_SUMMARY_LENGTH = 2_000
PDF_MIME = "application/pdf"


# --- validation ------------------------------------------------------------------------


def validate_summary(summary: str) -> str:
    try:
        return clean_body(summary, MAX_SUMMARY_LENGTH)
    except Invalid as exc:
        raise Invalid({"summary": exc.errors["body"]}) from None


def sniff_document(path: Path, *, name: str, claimed_type: str | None) -> Detected:
    """The decision document must really be a PDF; the refusal says what was found.

    Codes: ``not_pdf:<kind>`` (the content is something else), ``type_mismatch:pdf``
    (a PDF under a name or content type that claims something else).
    """
    detected = detect(path)
    if detected.kind != "pdf":
        raise Invalid({"document": f"not_pdf:{detected.kind}"})
    try:
        return check(detected, claimed_name=name, claimed_type=claimed_type, allow_zip=False)
    except Invalid as exc:
        raise Invalid({"document": exc.errors["file"]}) from None


def _require_pdf(document: StoredFile) -> None:
    if document.mime != PDF_MIME:
        raise Invalid({"document": "not_pdf:" + document.mime})


# --- issuing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedDecision:
    id: UUID
    seq: int


async def do_issue_decision(
    access: RoomAccess, *, summary: str, document: StoredFile, source: str
) -> IssuedDecision:
    """The timeline item, the quarantined document, the decision row, progress ``decided``."""
    room = access.room
    author, _ = await author_of(access)
    message_id, seq = await do_add_item(
        room.id,
        side=Side.authority,
        author=author,
        author_name=access.author_name,
        body=summary,
        kind=ItemKind.decision,
        files=1,
    )
    [attachment_id] = await do_add_attachments(room.id, message_id, [document], uploaded_by=author)
    decision = Decision(
        room=room.id,
        message=message_id,
        attachment=attachment_id,
        summary=summary,
        source=source,
    )
    await decision.save()
    decision_id = UUID(str(decision.id))
    await do_set_progress(access, RoomProgress.decided)
    await audit.record(
        "decision_issued",
        actor=access.principal,
        room_id=room.id,
        authority_id=room.authority_id,
        detail={
            "decision_id": str(decision_id),
            "source": source,
            "bytes": document.size,
            "sha256": document.sha256,
        },
    )
    return IssuedDecision(decision_id, seq)


async def check_issue_decision(
    principal: Principal, room_id: UUID | str, summary: str, upload: StoredFile
) -> IssuedDecision:
    """The authority issues a decision: a caseworker in the room, or the case store.

    A case store's decision appears under the authority's name.
    """
    async with write_transaction():
        access = await access_room(
            principal, room_id, writing=True, staff_only=True, case_store=True
        )
        text = validate_summary(summary)  # after the gate: others learn nothing
        _require_pdf(upload)
        source = "api" if access.machine is not None else "room"
        return await do_issue_decision(access, summary=text, document=upload, source=source)


# --- made available ----------------------------------------------------------------------


async def do_make_available(attachment_id: UUID, *, now: datetime | None = None) -> None:
    """A decision's document scanned clean: from now on the applicant can retrieve it.

    Called inside the verdict's transaction; does nothing for other attachments.
    """
    when = now or datetime.now(UTC)
    rows: list[dict[str, Any]] = await (
        Decision.update({Decision.made_available_at: when})
        .where((Decision.attachment == attachment_id) & Decision.made_available_at.is_null())
        .returning(Decision.id, Decision.room)
    )
    if not rows:
        return
    decision_id, room_id = UUID(str(rows[0]["id"])), UUID(str(rows[0]["room"]))
    facts: dict[str, Any] | None = (
        await Attachment.select(Attachment.sha256, Attachment.room._.authority)
        .where(Attachment.id == attachment_id)
        .first()
    )
    assert facts is not None
    authority_id = UUID(str(facts["room.authority"]))
    await do_record(
        DecisionMadeAvailable(
            room_id,
            authority_id,
            decision_id=decision_id,
            attachment_id=attachment_id,
            sha256=facts["sha256"],
            made_available_at=when.isoformat(),
        )
    )
    await audit.record(
        "decision_made_available",
        actor=None,
        machine="scanner",
        room_id=room_id,
        authority_id=authority_id,
        detail={"decision_id": str(decision_id)},
    )


# --- first retrieval ---------------------------------------------------------------------


@dataclass(frozen=True)
class FirstRetrieval:
    """A download that may be the applicant side's first retrieval of a decision."""

    decision_id: UUID
    room_id: UUID
    authority_id: UUID
    participant_id: UUID
    expected_sha256: str


async def first_retrieval(actor: Actor, document: AttachmentView) -> FirstRetrieval | None:
    """Whether downloading ``document`` (already through its gate) would count.

    Only the applicant's side counts (the applicant, a representative, an
    organisation's employee), only for a decision's document, only the first time.
    Caseworkers' downloads never count.
    """
    if actor.is_staff or document.mime != PDF_MIME:
        return None  # no query on the path of every other download
    row: dict[str, Any] | None = (
        await Decision.select(Decision.id, Decision.first_retrieved_at, Decision.made_available_at)
        .where(Decision.attachment == document.id)
        .first()
    )
    if row is None or row["first_retrieved_at"] is not None or row["made_available_at"] is None:
        return None
    access = await access_room(actor, document.room_id)
    if access.side is not Side.applicant or access.participant_id is None:
        return None
    return FirstRetrieval(
        decision_id=UUID(str(row["id"])),
        room_id=access.room.id,
        authority_id=access.room.authority_id,
        participant_id=access.participant_id,
        expected_sha256=document.sha256,
    )


async def check_record_retrieval(
    actor: Actor, retrieval: FirstRetrieval, sha256: str, *, now: datetime | None = None
) -> bool:
    """Record the first retrieval and the SHA-256 of the bytes delivered, exactly once.

    Call after the whole document was delivered. Concurrent first downloads race on
    the conditional UPDATE: one records (True), the others change nothing (False).
    """
    when = now or datetime.now(UTC)
    async with write_transaction():
        rows: list[dict[str, Any]] = await (
            Decision.update(
                {
                    Decision.first_retrieved_at: when,
                    Decision.first_retrieved_by: retrieval.participant_id,
                    Decision.first_retrieved_sha256: sha256,
                }
            )
            .where((Decision.id == retrieval.decision_id) & Decision.first_retrieved_at.is_null())
            .returning(Decision.message)
        )
        if not rows:
            return False
        seq_row: dict[str, Any] | None = (
            await Message.select(Message.seq).where(Message.id == rows[0]["message"]).first()
        )
        assert seq_row is not None
        await do_record(
            DecisionRetrieved(
                retrieval.room_id,
                retrieval.authority_id,
                seq=int(seq_row["seq"]),
                decision_id=retrieval.decision_id,
                retrieved_at=when.isoformat(),
                sha256=sha256,
            )
        )
        intact = sha256 == retrieval.expected_sha256
        await audit.record(
            "decision_retrieved",
            actor=actor,
            outcome="ok" if intact else "hash_mismatch",
            room_id=retrieval.room_id,
            authority_id=retrieval.authority_id,
            detail={"decision_id": str(retrieval.decision_id), "sha256": sha256},
        )
    return True


# --- reading -----------------------------------------------------------------------------


async def decisions_by_message(
    room_id: UUID,
    documents: dict[UUID, list[AttachmentView]] | None = None,
    message_ids: Collection[UUID] | None = None,
) -> dict[UUID, DecisionView]:
    """The room's decisions, keyed by their timeline item's id (callers gate the room).

    ``documents``: the room's attachments by message, when the caller has them already.
    ``message_ids``: only the decisions among these timeline items.
    """
    if message_ids is not None and not message_ids:
        return {}
    where: Combinable = Decision.room == room_id
    if message_ids is not None:
        where = where & Decision.message.is_in(list(message_ids))
    rows: list[dict[str, Any]] = await Decision.select(
        *Decision.all_columns(),
        Decision.message._.seq,
        Decision.first_retrieved_by._.name,
        Decision.first_retrieved_by._.role,
    ).where(where)
    if not rows:
        return {}
    if documents is None:
        documents = await attachments_by_message(room_id, message_ids)
    views: dict[UUID, DecisionView] = {}
    for r in rows:
        message_id = UUID(str(r["message"]))
        [document] = [d for d in documents[message_id] if str(d.id) == str(r["attachment"])]
        views[message_id] = DecisionView(
            id=UUID(str(r["id"])),
            room_id=room_id,
            message_id=message_id,
            seq=int(r["message.seq"]),
            summary=r["summary"],
            source=r["source"],
            created_at=r["created_at"],
            made_available_at=r["made_available_at"],
            first_retrieved_at=r["first_retrieved_at"],
            first_retrieved_by_name=r["first_retrieved_by.name"] or "",
            first_retrieved_by_role=r["first_retrieved_by.role"] or "",
            first_retrieved_sha256=r["first_retrieved_sha256"] or "",
            document=document,
        )
    return views


async def decisions_in(room_id: UUID) -> list[DecisionView]:
    return sorted((await decisions_by_message(room_id)).values(), key=lambda d: d.seq)


async def room_decisions(principal: Principal, room_id: UUID | str) -> list[DecisionView]:
    """A room's decisions, through the room gate."""
    access = await access_room(principal, room_id, case_store=True)
    return await decisions_in(access.room.id)
