"""Races that only PostgreSQL shows: SQLite serialises writers, PostgreSQL does not.

Each test starts real actions at the same instant on several pooled connections
(``asyncio.gather``) and checks that a once-only rule or a quota held.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from rooms.casework.representatives import (
    InvitationRefused,
    check_create_invitation,
    check_redeem_invitation,
    participants,
)
from rooms.kernel.events import ParticipantAdded
from rooms.kernel.tables import OutboxEvent
from tests import builders
from tests.cast import ERIKA, JONAS
from tests.facts import committed_facts

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
