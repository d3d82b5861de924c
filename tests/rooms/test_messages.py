"""Posting, sequence numbers, receipts and the lists built from them."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from rooms.casework.attachments import StoredFile
from rooms.casework.lifecycle import check_close_room
from rooms.casework.listings import RoomRow, applications_view, inbox_view
from rooms.casework.posting import check_post_message
from rooms.casework.timeline import check_mark_read, do_add_item, timeline
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid, NotFound, RoomClosed
from rooms.kernel.events import ItemAdded, ItemsRead
from rooms.kernel.tables import Attachment, AuditEvent, Message, Room
from rooms.kernel.vocabulary import Side
from tests import builders
from tests.cast import ERIKA, JONAS, OTTO, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


async def inbox_rows(actor: Actor) -> list[RoomRow]:
    """The rows of the caseworker's inbox as the page shows them first."""
    return (await inbox_view(actor)).rows


async def application_rows(actor: Actor) -> list[RoomRow]:
    """The rows of 'Meine Anträge', both parts."""
    listing = await applications_view(actor)
    return listing.now + listing.rest


async def test_reply_gets_the_next_sequence_number_and_shows_who_wrote_it() -> None:
    result = await builders.room(ERIKA)
    assert result.room.last_seq == 1
    with committed_facts() as heard:
        posted = await check_post_message(ERIKA, result.room.id, "  Anbei die Nachweise.\r\n")
    assert (posted.seq, posted.attachment_ids) == (2, ())
    assert heard == [
        ItemAdded(result.room.id, result.room.authority_id, seq=2, kind="message", side="applicant")
    ]
    assert not heard[0].wakes_scanner  # no files came with it
    items = await timeline(await access_room(ERIKA, result.room.id))
    assert [(i.seq, i.side, i.author_name, i.mine) for i in items] == [
        (1, Side.authority, "Behörde demo-stadt", False),
        (2, Side.applicant, "Erika Mustermann", True),
    ]
    assert items[1].body == "Anbei die Nachweise."
    assert [i.by_me for i in items] == [False, True]
    sabine_view = await timeline(await access_room(SABINE, result.room.id))
    assert [(i.mine, i.by_me) for i in sabine_view] == [(True, False), (False, False)]


async def test_timeline_after_a_sequence_number_returns_only_later_items() -> None:
    result = await builders.room(ERIKA)
    for text in ("eins", "zwei", "drei"):
        await check_post_message(ERIKA, result.room.id, text)
    access = await access_room(SABINE, result.room.id)
    assert [i.body for i in await timeline(access, after_seq=2)] == ["zwei", "drei"]


async def test_concurrent_posts_get_consecutive_numbers_without_gaps() -> None:
    result = await builders.room(ERIKA, message=None)
    with committed_facts() as heard:
        posted = await asyncio.gather(
            *[check_post_message(ERIKA, result.room.id, f"Nachricht {n}") for n in range(8)]
        )
    seqs = await Message.select(Message.seq).where(Message.room == result.room.id)
    assert sorted(r["seq"] for r in seqs) == list(range(1, 9))
    assert sorted(p.seq for p in posted) == list(range(1, 9))
    assert sorted(f.seq for f in heard if isinstance(f, ItemAdded)) == list(range(1, 9))


@pytest.mark.parametrize(
    ("body", "error"), [("", "empty"), ("   \n ", "empty"), ("x" * 20_001, "too_long")]
)
async def test_empty_or_oversized_messages_are_refused_and_nothing_is_written(
    body: str, error: str
) -> None:
    result = await builders.room(ERIKA)
    with committed_facts() as heard, pytest.raises(Invalid) as excinfo:
        await check_post_message(ERIKA, result.room.id, body)
    assert excinfo.value.errors == {"body": error}
    assert heard == []
    assert await Message.count().where(Message.room == result.room.id) == 1


async def test_outsiders_and_closed_rooms_cannot_post() -> None:
    result = await builders.room(ERIKA)
    closed = await builders.room(ERIKA, closed=True)
    with committed_facts() as heard:
        for outsider in (JONAS, OTTO):
            with pytest.raises(NotFound):
                await check_post_message(outsider, result.room.id, "Hallo")
        for member in (ERIKA, SABINE):
            with pytest.raises(RoomClosed):
                await check_post_message(member, closed.room.id, "Hallo")
    assert heard == []
    assert await Message.count().where(Message.body == "Hallo") == 0


async def test_a_writer_that_passed_the_gate_before_a_close_is_refused() -> None:
    """The close commits between a writer's gate and its write: nothing is written."""
    result = await builders.room(ERIKA)
    await check_close_room(SABINE, result.room.id)
    with committed_facts() as heard, pytest.raises(RoomClosed):
        async with write_transaction():
            await do_add_item(
                result.room.id, side=Side.applicant, author=None, author_name="Erika", body="Spät"
            )
    assert await Message.count().where(Message.body == "Spät") == 0
    room = await Room.select(Room.last_seq).where(Room.id == result.room.id).first()
    assert room is not None and room["last_seq"] == result.room.last_seq
    assert heard == []


async def test_receipts_mark_first_read_by_the_other_side_and_clear_unread_counts() -> None:
    result = await builders.room(ERIKA)
    await check_post_message(ERIKA, result.room.id, "Antwort")
    [inbox_item] = await inbox_rows(SABINE)
    assert inbox_item.unread == 1
    assert inbox_item.applicant_name == "Erika Mustermann"
    [mine] = await application_rows(ERIKA)
    assert mine.unread == 1  # the authority's first message

    with committed_facts() as heard:
        assert await check_mark_read(SABINE, result.room.id, up_to_seq=2) == (2,)
    assert heard == [
        ItemsRead(result.room.id, result.room.authority_id, reader_side="authority", seqs=(2,))
    ]
    with committed_facts() as heard:  # first read only
        assert await check_mark_read(SABINE, result.room.id, up_to_seq=2) == ()
    assert heard == []
    assert (await inbox_rows(SABINE))[0].unread == 0

    erika_view = await timeline(await access_room(ERIKA, result.room.id))
    assert erika_view[1].read_by_other_at is not None  # Erika sees that Sabine read it
    assert erika_view[0].read_by_other_at is None  # nobody on Erika's side read item 1 yet
    assert (await application_rows(ERIKA))[0].unread == 1


async def test_lists_show_only_own_rooms() -> None:
    await builders.authority("demo-kreis", "Kreis Beispiel")
    mine = await builders.room(ERIKA)
    await builders.room(JONAS)
    await builders.room(JONAS, authority_slug="demo-kreis")
    assert [s.id for s in await application_rows(ERIKA)] == [mine.room.id]
    assert len(await inbox_rows(SABINE)) == 2
    assert len(await inbox_rows(OTTO)) == 1
    assert await application_rows(SABINE) == []
    assert await inbox_rows(ERIKA) == []


async def test_audit_records_the_act_but_never_the_text() -> None:
    result = await builders.room(ERIKA)
    await check_post_message(ERIKA, result.room.id, "Geheimer Inhalt")
    rows = await AuditEvent.select().where(AuditEvent.action == "message_posted")
    assert len(rows) == 1
    assert rows[0]["actor"] == ERIKA.pseudonym
    assert "Geheimer" not in str(rows[0])


def stored(size: int = 100) -> StoredFile:
    return StoredFile(
        f"rooms/test/{uuid.uuid4()}", "anlage.pdf", "application/pdf", size, "cd" * 32
    )


async def test_a_case_store_posts_with_files_through_the_same_action() -> None:
    result = await builders.room(ERIKA, message=None)
    machine, _ = await builders.client()
    with committed_facts() as heard:
        posted = await check_post_message(
            machine, result.room.id, "Anbei der Vordruck.", [stored(), stored()], room_limit=1000
        )
    assert posted.seq == 1 and len(posted.attachment_ids) == 2
    assert heard == [
        ItemAdded(
            result.room.id,
            result.room.authority_id,
            seq=1,
            kind="message",
            side="authority",
            files=2,
        )
    ]
    assert heard[0].wakes_scanner
    [item] = await timeline(await access_room(ERIKA, result.room.id))
    assert (item.side, item.author_name, item.on_behalf_of) == (
        Side.authority,
        machine.authority_name,
        "",
    )
    row = await Message.select(Message.author).where(Message.id == posted.id).first()
    assert row is not None and row["author"] is None  # the authority, no participant
    files = await Attachment.select(Attachment.id, Attachment.scan_state).where(
        Attachment.message == posted.id
    )
    assert {str(f["id"]) for f in files} == {str(i) for i in posted.attachment_ids}
    assert {f["scan_state"] for f in files} == {"pending"}


async def test_files_beyond_the_rooms_limit_are_refused_and_nothing_is_announced() -> None:
    result = await builders.room(ERIKA, message=None)
    machine, _ = await builders.client()
    foreign, _ = await builders.client("demo-kreis")
    with committed_facts() as heard:
        with pytest.raises(Invalid) as refused:
            await check_post_message(
                machine, result.room.id, "Zu groß", [stored(600), stored(600)], room_limit=1000
            )
        assert refused.value.errors == {"attachments": "room_limit"}
        with pytest.raises(NotFound):
            await check_post_message(foreign, result.room.id, "Fremd", [stored()])
    assert heard == []
    assert await Message.count().where(Message.room == result.room.id) == 0
    assert await Attachment.count() == 0
