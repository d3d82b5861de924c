"""Boundaries and clauses that nothing else pins: each test fails if its line is changed.

- the exact maximum message length, and the refusal of NUL characters;
- the gate's applicant-role filter (only applicant and representative rows open the
  applicant side) and the caseworker's own-subject clause (a caseworker never acts
  as another caseworker's participant row).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from rooms.casework.posting import check_post_message
from rooms.casework.timeline import DEFAULT_MAX_LENGTH, timeline
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import Message, Participant
from rooms.kernel.vocabulary import ParticipantRole
from tests import builders
from tests.cast import ERIKA, JONAS, SABINE

pytestmark = pytest.mark.usefixtures("database")


async def test_a_message_of_exactly_the_maximum_length_is_posted_one_more_is_refused() -> None:
    room = (await builders.room(ERIKA)).room.id
    posted = await check_post_message(ERIKA, room, "a" * DEFAULT_MAX_LENGTH)
    assert posted.seq == 2
    with pytest.raises(Invalid) as refused:
        await check_post_message(ERIKA, room, "a" * (DEFAULT_MAX_LENGTH + 1))
    assert refused.value.errors == {"body": "too_long"}
    # Blanks around the text do not count; line endings are normalised first.
    await check_post_message(ERIKA, room, "  " + "b" * (DEFAULT_MAX_LENGTH - 1) + "\r\n")
    assert await Message.count() == 3


async def test_a_nul_character_is_refused_and_nothing_is_stored() -> None:
    room = (await builders.room(ERIKA)).room.id
    with pytest.raises(Invalid) as refused:
        await check_post_message(ERIKA, room, "vor\x00nach")
    assert refused.value.errors == {"body": "invalid_characters"}
    assert await Message.count() == 1


async def test_a_caseworker_row_never_opens_the_applicant_side() -> None:
    """A citizen whose subject equals a caseworker participant's subject gets nothing."""
    room = (await builders.room(ERIKA)).room.id
    await Participant.insert(
        Participant(
            room=room,
            role=ParticipantRole.caseworker.value,
            kind="person",
            subject=JONAS.subject,
            name="Namensvetter",
        )
    )
    with pytest.raises(NotFound):
        await access_room(JONAS, room)


async def test_a_caseworker_acts_as_their_own_participant_row_only() -> None:
    room = (await builders.room(ERIKA)).room.id
    colleague = replace(SABINE, subject="kollege-karl", name="Karl Kollege")
    await check_post_message(colleague, room, "Ich übernehme.")
    access = await access_room(SABINE, room)
    assert access.participant_id is None  # not Karl's row
    [_, karls] = await timeline(access)
    assert karls.mine and not karls.by_me  # the authority's side wrote it, but not Sabine
    await check_post_message(SABINE, room, "Danke.")
    rows = await Participant.select(Participant.subject).where(
        (Participant.room == room) & (Participant.role == ParticipantRole.caseworker.value)
    )
    assert sorted(r["subject"] for r in rows) == sorted([SABINE.subject, "kollege-karl"])
