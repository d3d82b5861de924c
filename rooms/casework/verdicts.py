"""The scanner's verdict on a file: clean files become downloadable, decisions available.

This module stands above ``attachments`` and ``decisions``: a clean verdict on a
decision's document makes the decision available in the verdict's own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.casework.decisions import do_make_available
from rooms.kernel import audit
from rooms.kernel.db import write_transaction
from rooms.kernel.events import AttachmentScanned
from rooms.kernel.tables import Attachment
from rooms.kernel.vocabulary import ScanState
from rooms.outbound.outbox import do_record


async def do_record_verdict(attachment_id: UUID, *, clean: bool, signature: str = "") -> bool:
    """Store the scanner's verdict once; an infected file stays away from everyone.

    Returns False when the file already had a verdict (a second worker, a rescan):
    then nothing changes.
    """
    state = ScanState.clean if clean else ScanState.infected
    async with write_transaction():
        rows: list[dict[str, Any]] = await (
            Attachment.update(
                {
                    Attachment.scan_state: state.value,
                    Attachment.signature: signature[:200],
                    Attachment.scanned_at: datetime.now(UTC),
                }
            )
            .where(
                (Attachment.id == attachment_id)
                & (Attachment.scan_state == ScanState.pending.value)
            )
            .returning(Attachment.room, Attachment.sha256, Attachment.size)
        )
        if not rows:
            return False
        room_id = UUID(str(rows[0]["room"]))
        facts: dict[str, Any] | None = (
            await Attachment.select(Attachment.message._.seq, Attachment.room._.authority)
            .where(Attachment.id == attachment_id)
            .first()
        )
        assert facts is not None
        authority_id = UUID(str(facts["room.authority"]))
        await do_record(
            AttachmentScanned(
                room_id,
                authority_id,
                seq=int(facts["message.seq"]),
                attachment_id=attachment_id,
                sha256=rows[0]["sha256"],
                size=int(rows[0]["size"]),
                outcome=state.value,
            )
        )
        if clean:
            await do_make_available(attachment_id)
        await audit.record(
            "attachment_scanned",
            actor=None,
            machine="scanner",
            outcome="ok" if clean else "infected",
            room_id=room_id,
            detail={"signature": signature[:200]} if not clean else {},
        )
    return True
