"""Races that only PostgreSQL shows: SQLite serialises writers, PostgreSQL does not.

Each test starts real actions at the same instant on several pooled connections
(``asyncio.gather``) and checks that a once-only rule or a quota held.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from piccolo.engine import Engine

from app.settings import UploadSettings
from rooms.casework.attachments import StoredFile, room_usage
from rooms.casework.posting import check_post_message
from rooms.casework.representatives import (
    InvitationRefused,
    check_create_invitation,
    check_redeem_invitation,
    participants,
)
from rooms.kernel.errors import Invalid
from rooms.kernel.events import ParticipantAdded
from rooms.kernel.tables import Attachment, OutboxEvent
from tests import builders
from tests.cast import ERIKA, JONAS
from tests.conftest import serving
from tests.facts import committed_facts
from tests.login import csrf, login

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.only_on("postgres")]

ROUNDS = 10


async def test_an_invitation_redeemed_by_several_accounts_at_once_admits_one() -> None:
    room = (await builders.room(ERIKA)).room.id
    for round_ in range(ROUNDS):
        rivals = [replace(JONAS, subject=f"jonas-{round_}-{n}") for n in range(4)]
        code = (await check_create_invitation(ERIKA, room)).code
        with committed_facts() as heard:
            outcomes = await asyncio.gather(
                *(check_redeem_invitation(r, code) for r in rivals), return_exceptions=True
            )
        assert sorted(type(o).__name__ for o in outcomes) == ["InvitationRefused"] * 3 + ["UUID"], (
            outcomes
        )
        assert all(o == room or isinstance(o, InvitationRefused) for o in outcomes)
        assert [type(f) for f in heard] == [ParticipantAdded]
    representatives = [p for p in await participants(room) if p.role == "representative"]
    assert len(representatives) == ROUNDS
    added = await OutboxEvent.count().where(OutboxEvent.type == "participant.added")
    assert added == ROUNDS


MB = 1024 * 1024
QUOTA_MB = 1
FILE = 200_000  # five fit into 1 MiB, the sixth does not
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def padded_pdf(n: int) -> bytes:
    filler = b"%" + str(n).encode() + b" "
    return (
        PDF
        + filler * ((FILE - len(PDF)) // len(filler))
        + b"\n" * ((FILE - len(PDF)) % len(filler))
    )


async def test_parallel_uploads_through_the_served_app_never_exceed_the_room_quota(
    database: Engine[Any], tmp_path: Path
) -> None:
    limits = UploadSettings(max_room_mb=QUOTA_MB)
    async with (
        serving(database, tmp_path, uploads=limits) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=30) as browser,
    ):
        room = (await builders.room(ERIKA)).room.id
        await login(browser, "erika")
        await browser.get(f"/rooms/{room}")

        async def upload(n: int) -> int:
            response = await browser.post(
                f"/rooms/{room}/uploads",
                data={"_csrf_token": csrf(browser)},
                files=[("file", (f"Nachweis {n}.pdf", padded_pdf(n), "application/pdf"))],
            )
            return response.status_code

        answers = await asyncio.gather(*(upload(n) for n in range(12)))
    sizes = [r["size"] for r in await Attachment.select(Attachment.size)]
    assert sum(sizes) <= QUOTA_MB * MB, (len(sizes), sum(sizes))
    assert sorted(answers) == [303] * 5 + [422] * 7
    assert len(sizes) == 5


async def test_parallel_messages_with_files_never_exceed_the_room_quota() -> None:
    room = (await builders.room(ERIKA)).room.id
    machine, _ = await builders.client()
    files = [StoredFile(f"k{n}", f"{n}.pdf", "application/pdf", FILE, "0" * 64) for n in range(8)]
    outcomes = await asyncio.gather(
        *(
            check_post_message(machine, room, "Bescheid", [f], room_limit=QUOTA_MB * MB)
            for f in files
        ),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, Invalid)]
    assert [o.errors for o in refused] == [{"attachments": "room_limit"}] * 3
    assert await room_usage(room) == 5 * FILE
