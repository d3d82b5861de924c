"""On-commit hooks: what a change announces is heard after its commit, never after a rollback."""

from __future__ import annotations

import pytest

from rooms.casework.posting import check_post_message
from rooms.kernel.db import on_commit, write_transaction
from rooms.kernel.events import ItemAdded, ProgressChanged
from rooms.kernel.tables import Message, OutboxEvent, Room
from rooms.outbound.outbox import do_record
from tests import builders
from tests.cast import ERIKA, SABINE
from tests.facts import committed_facts

pytestmark = pytest.mark.usefixtures("database")


class Boom(Exception):
    """The body of a transaction failing after it has recorded something."""


async def outbox_types() -> list[str]:
    rows = await OutboxEvent.select(OutboxEvent.type).order_by(OutboxEvent.id)
    return [r["type"] for r in rows]


async def test_a_body_that_raises_after_recording_runs_no_hook_and_announces_nothing() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    ran: list[str] = []
    with committed_facts() as heard, pytest.raises(Boom):
        async with write_transaction():
            await do_record(ProgressChanged(room.id, room.authority_id, progress="waiting"))
            on_commit(lambda: ran.append("hook"))
            assert await outbox_types() == ["room.created", "room.status_changed"]  # written
            raise Boom()
    assert heard == []
    assert ran == []
    assert await outbox_types() == ["room.created"]  # the row rolled back with the change


async def test_a_real_action_rolled_back_by_its_outer_transaction_announces_nothing() -> None:
    """The action joins the outer transaction: its item and its fact go with it."""
    room = (await builders.room(ERIKA, message=None)).room
    with committed_facts() as heard, pytest.raises(Boom):
        async with write_transaction():
            posted = await check_post_message(ERIKA, room.id, "Wird nie gesendet")
            assert posted.seq == 1
            assert heard == []  # not before the commit, even though the action returned
            raise Boom()
    assert heard == []
    assert await Message.count().where(Message.room == room.id) == 0
    assert (await Room.select(Room.last_seq).where(Room.id == room.id).first())["last_seq"] == 0
    assert await outbox_types() == ["room.created"]


async def test_hooks_run_in_order_after_the_commit() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    ran: list[tuple[str, int]] = []
    with committed_facts() as heard:
        async with write_transaction():
            on_commit(lambda: ran.append(("first", len(heard))))
            await do_record(ProgressChanged(room.id, room.authority_id, progress="waiting"))
            on_commit(lambda: ran.append(("third", len(heard))))
            assert ran == [] and heard == []
    # Each hook saw the ones before it: the fact's announcement ran second.
    assert ran == [("first", 0), ("third", 1)]
    assert heard == [ProgressChanged(room.id, room.authority_id, progress="waiting")]


async def test_an_action_announces_only_once_its_transaction_has_committed() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    with committed_facts() as heard:
        posted = await check_post_message(SABINE, room.id, "Hallo")
    assert heard == [
        ItemAdded(room.id, room.authority_id, seq=posted.seq, kind="message", side="authority")
    ]


async def test_a_nested_write_transaction_joins_the_outer_one() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    ran: list[str] = []
    with committed_facts() as heard:
        async with write_transaction():
            async with write_transaction():
                on_commit(lambda: ran.append("inner"))
                await do_record(ProgressChanged(room.id, room.authority_id, progress="waiting"))
            assert ran == [] and heard == []  # the inner block's end is no commit
            on_commit(lambda: ran.append("outer"))
            await check_post_message(ERIKA, room.id, "Antwort")  # an action joins too
            assert ran == [] and heard == []
    assert ran == ["inner", "outer"]
    assert [type(f) for f in heard] == [ProgressChanged, ItemAdded]
    assert heard[1] == ItemAdded(
        room.id, room.authority_id, seq=1, kind="message", side="applicant"
    )


async def test_an_inner_failure_rolls_back_the_outer_transaction_too() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    ran: list[str] = []
    with committed_facts() as heard, pytest.raises(Boom):
        async with write_transaction():
            await check_post_message(ERIKA, room.id, "Erste")
            async with write_transaction():
                on_commit(lambda: ran.append("inner"))
                raise Boom()
    assert (heard, ran) == ([], [])
    assert await Message.count().where(Message.room == room.id) == 0


async def test_a_failing_hook_does_not_stop_the_others_nor_undo_the_change() -> None:
    room = (await builders.room(ERIKA, message=None)).room
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("a side effect failed")

    async with write_transaction():
        await Room.update({Room.title: "geändert"}).where(Room.id == room.id)
        on_commit(broken)
        on_commit(lambda: ran.append("after"))
    assert ran == ["after"]
    assert (await Room.select(Room.title).where(Room.id == room.id).first())["title"] == "geändert"


def test_on_commit_outside_a_transaction_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="outside write_transaction"):
        on_commit(lambda: None)


async def test_on_commit_after_the_transaction_has_ended_is_an_error() -> None:
    async with write_transaction():
        on_commit(lambda: None)
    with pytest.raises(RuntimeError):
        on_commit(lambda: None)


async def test_a_fact_outside_a_transaction_is_refused_before_anything_is_written() -> None:
    room = (await builders.room(ERIKA)).room
    before = await OutboxEvent.count()
    with pytest.raises(RuntimeError):
        await do_record(ProgressChanged(room.id, room.authority_id, progress="waiting"))
    assert await OutboxEvent.count() == before
