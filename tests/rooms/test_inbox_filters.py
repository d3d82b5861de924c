"""The authority's inbox: every view, its count, the search and the sorting, in the domain."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rooms.casework.assignment import check_assign
from rooms.casework.attachments import StoredFile
from rooms.casework.lifecycle import check_close_room, check_set_progress
from rooms.casework.listings import (
    INBOX_PAGE_SIZE,
    MAX_SEARCH_LENGTH,
    InboxFilter,
    InboxSort,
    applications_view,
    clean_search,
    inbox_view,
    like_pattern,
)
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.requests import NewItem, check_create_request, open_requests
from rooms.casework.timeline import check_mark_read
from rooms.kernel.tables import Message, Room
from tests import builders
from tests.cast import ERIKA, JONAS, MAX, OTTO, SABINE

pytestmark = pytest.mark.usefixtures("database")


def today() -> date:
    return datetime.now(UTC).date()


def stored() -> StoredFile:
    return StoredFile(f"rooms/t/{uuid.uuid4()}", "nachweis.pdf", "application/pdf", 10, "0" * 64)


async def ask_for_documents(room_id: uuid.UUID, days: int = 7) -> None:
    await check_create_request(
        SABINE, room_id, "Bitte nachreichen", [NewItem("Nachweis")], today() + timedelta(days=days)
    )


async def ids(view: InboxFilter, **kwargs: object) -> set[uuid.UUID]:
    return {r.id for r in (await inbox_view(SABINE, view=view, **kwargs)).rows}  # type: ignore[arg-type]


async def test_each_view_shows_the_rooms_that_need_that_attention_and_counts_them() -> None:
    await builders.authority("demo-kreis", "Landkreis Demo")
    # fresh: the authority wrote the first message, nobody answered (awaiting the applicant)
    fresh = (await builders.room(ERIKA, title="Frisch")).room.id
    # a reply Sabine has not read
    replied = (await builders.room(ERIKA, title="Antwort da")).room.id
    await check_post_message(ERIKA, replied, "Hier meine Antwort")
    # a reply Sabine has read: no longer new, but still unanswered
    read = (await builders.room(JONAS, title="Gelesen")).room.id
    await check_post_message(JONAS, read, "Gelesene Antwort")
    await check_mark_read(SABINE, read, 2)
    # documents: an upload to a request item (submitted, awaiting review)
    documents = (await builders.room(ERIKA, title="Unterlagen")).room.id
    await ask_for_documents(documents)
    [request] = await open_requests(documents)
    await check_add_upload(
        ERIKA, documents, [stored()], item_id=request.items[0].id, room_limit=10**9
    )
    # a running request that will be overdue in 10 days
    running = (await builders.room(MAX, title="Frist läuft")).room.id
    await ask_for_documents(running, days=3)
    # assigned to Sabine
    mine = (await builders.room(JONAS, title="Meins")).room.id
    await check_post_message(SABINE, mine, "Ich übernehme.")
    await check_assign(SABINE, mine, assignee=SABINE.subject)
    # closed
    closed = (await builders.room(ERIKA, title="Zu")).room.id
    await check_close_room(SABINE, closed)
    # another authority's room never shows
    await builders.room(ERIKA, authority_slug="demo-kreis", title="Fremd")

    open_rooms = {fresh, replied, read, documents, running, mine}
    assert await ids(InboxFilter.alle) == open_rooms
    assert await ids(InboxFilter.neu) == {replied, documents}  # the upload is unread too
    assert await ids(InboxFilter.unterlagen) == {documents}
    assert await ids(InboxFilter.ueberfaellig) == set()
    assert await ids(InboxFilter.wartet) == {fresh, running, mine}
    assert await ids(InboxFilter.mir) == {mine}
    assert await ids(InboxFilter.geschlossen) == {closed}
    # ten days later the request of "running" is overdue and no longer merely awaited
    later = today() + timedelta(days=10)
    assert await ids(InboxFilter.ueberfaellig, today=later) == {running}
    assert running not in await ids(InboxFilter.wartet, today=later)

    inbox = await inbox_view(SABINE)
    assert inbox.counts == {
        InboxFilter.alle: 6,
        InboxFilter.neu: 2,
        InboxFilter.unterlagen: 1,
        InboxFilter.ueberfaellig: 0,
        InboxFilter.wartet: 3,
        InboxFilter.mir: 1,
        InboxFilter.geschlossen: 1,
    }
    # Otto sees only his authority; applicants have no inbox
    assert [r.title for r in (await inbox_view(OTTO)).rows] == ["Fremd"]
    assert (await inbox_view(ERIKA)).rows == []


async def test_progress_waiting_counts_as_awaiting_the_applicant() -> None:
    room = (await builders.room(ERIKA)).room.id
    await check_post_message(ERIKA, room, "Antwort")
    assert room not in await ids(InboxFilter.wartet)
    await check_set_progress(SABINE, room, "waiting")
    assert room in await ids(InboxFilter.wartet)


async def test_sorting_by_waiting_time_puts_the_longest_unanswered_first() -> None:
    now = datetime.now(UTC)
    rooms = {}
    for title, hours in (("zwei Stunden", 2), ("drei Tage", 72), ("eine Stunde", 1)):
        rooms[title] = (await builders.room(ERIKA, title=title)).room.id
        await check_post_message(ERIKA, rooms[title], f"Antwort {title}")
        await Message.update({Message.created_at: now - timedelta(hours=hours)}).where(
            (Message.room == rooms[title]) & (Message.seq == 2)
        )
    answered = (await builders.room(ERIKA, title="beantwortet")).room.id
    await Room.update({Room.last_activity_at: now + timedelta(minutes=1)}).where(
        Room.id == answered
    )
    inbox = await inbox_view(SABINE)
    assert [r.title for r in inbox.rows] == [
        "drei Tage",
        "zwei Stunden",
        "eine Stunde",
        "beantwortet",
    ]
    waited = inbox.rows[0].waiting_since
    assert waited is not None and abs((waited - (now - timedelta(hours=72))).total_seconds()) < 1
    # by activity: the most recent first
    by_activity = await inbox_view(SABINE, sort=InboxSort.aktivitaet)
    assert by_activity.rows[0].title == "beantwortet"
    # an answer from the authority ends the waiting
    await check_post_message(SABINE, rooms["drei Tage"], "Danke!")
    assert (await inbox_view(SABINE)).rows[0].title == "zwei Stunden"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("VG-2026-ZZ", {"ref"}),
        ("vg-2026-zz", {"ref"}),  # case does not matter
        ("Wohngeld", {"ref", "name"}),
        ("mustermann", {"ref", "name"}),  # the applicant's name
        ("Grün", {"name"}),
        ("100%", {"percent"}),
        ("%", {"percent"}),  # a wildcard is taken literally
        ("_", {"underscore"}),
        ("a_b", {"underscore"}),
        ("'; DROP TABLE room; --", set()),
        ("\\", set()),
        ("!", set()),
        ('"', set()),
        ("\x00", {"ref", "name", "percent", "underscore"}),  # control characters dropped
    ],
)
async def test_search_finds_case_refs_names_and_titles_and_takes_odd_input_literally(
    query: str, expected: set[str]
) -> None:
    await builders.room(ERIKA, title="Antrag auf Wohngeld", case_ref="VG-2026-ZZ")
    await builders.room(ERIKA, title="Wohngeld Grünfläche", applicant_name="Erika Mustermann")
    await builders.room(JONAS, title="Förderung 100% Zuschuss")
    await builders.room(JONAS, title="Datei a_b")
    names = {
        "Antrag auf Wohngeld": "ref",
        "Wohngeld Grünfläche": "name",
        "Förderung 100% Zuschuss": "percent",
        "Datei a_b": "underscore",
    }
    inbox = await inbox_view(SABINE, query=query)
    assert {names[r.title] for r in inbox.rows} == expected
    assert await Room.count() == 4


async def test_long_search_is_cut_and_the_counts_follow_the_search() -> None:
    await builders.room(ERIKA, title="Antrag auf Wohngeld")
    await builders.room(ERIKA, title="Baugenehmigung")
    inbox = await inbox_view(SABINE, query="x" * 1000)
    assert inbox.query == "x" * MAX_SEARCH_LENGTH
    assert inbox.rows == [] and inbox.counts[InboxFilter.alle] == 0
    found = await inbox_view(SABINE, query="bau")
    assert found.counts[InboxFilter.alle] == 1


async def test_search_ignores_the_case_of_umlauts_on_both_databases() -> None:
    """SQLite's own lower() folds ASCII only: the portal gives it a Unicode one."""
    await builders.room(ERIKA, title="Übernahme der Kosten")
    await builders.room(JONAS, title="Äußerung zur Anhörung", applicant_name="Jonas Öztürk")
    for query, title in [
        ("übernahme", "Übernahme der Kosten"),
        ("ÜBERNAHME", "Übernahme der Kosten"),
        ("äußerung", "Äußerung zur Anhörung"),
        ("öztürk", "Äußerung zur Anhörung"),
    ]:
        inbox = await inbox_view(SABINE, query=query)
        assert [r.title for r in inbox.rows] == [title], query


def test_like_patterns_escape_their_wildcards() -> None:
    assert like_pattern("50%_a!") == "%50!%!_a!!%"
    assert clean_search("  a\x00b\u200bc  ") == "ab\u200bc"


async def test_two_hundred_rooms_are_listed_by_one_statement(engine) -> None:  # type: ignore[no-untyped-def]
    """No query per row: the inbox of 200 rooms costs one statement, whatever the view."""
    machine, _ = await builders.client()
    from rooms.casestore.intake import check_create_room

    for n in range(200):
        applicant = (ERIKA, JONAS, MAX)[n % 3]
        await check_create_room(machine, builders.new_room(applicant, title=f"Antrag {n:03d}"))
    calls = 0
    original = Room.raw.__func__  # type: ignore[attr-defined]

    def counting(cls, sql, *args):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(cls, sql, *args)

    Room.raw = classmethod(counting)  # type: ignore[method-assign,assignment]
    try:
        inbox = await inbox_view(SABINE, view=InboxFilter.wartet)
    finally:
        Room.raw = classmethod(original)  # type: ignore[method-assign,assignment]
    assert calls == 1
    assert inbox.total == 200 and inbox.counts[InboxFilter.alle] == 200
    assert len(inbox.rows) == INBOX_PAGE_SIZE and inbox.pages == 4


async def test_the_pages_together_are_the_whole_view_in_order() -> None:
    machine, _ = await builders.client()
    from rooms.casestore.intake import check_create_room

    for n in range(23):
        await check_create_room(machine, builders.new_room(ERIKA, title=f"Antrag {n:03d}"))
    whole = await inbox_view(SABINE, page_size=1000)
    pages = [await inbox_view(SABINE, page=n, page_size=10) for n in (1, 2, 3)]
    assert [p.pages for p in pages] == [3, 3, 3] and [len(p.rows) for p in pages] == [10, 10, 3]
    assert [r.id for p in pages for r in p.rows] == [r.id for r in whole.rows]
    beyond = await inbox_view(SABINE, page=99, page_size=10)
    assert beyond.page == 3 and beyond.rows == pages[2].rows  # past the end: the last page


async def test_applicants_see_what_needs_them_now_above_the_rest() -> None:
    await builders.room(ERIKA, title="Frage offen")  # the authority wrote, no answer yet
    answered = (await builders.room(ERIKA, title="Beantwortet")).room.id
    await check_mark_read(ERIKA, answered, 1)
    await check_post_message(ERIKA, answered, "Meine Antwort")
    documents = (await builders.room(ERIKA, title="Unterlagen")).room.id
    await check_post_message(ERIKA, documents, "Gern")
    await ask_for_documents(documents, days=5)
    closed = (await builders.room(ERIKA, title="Zu")).room.id
    await check_close_room(SABINE, closed)

    view = await applications_view(ERIKA)
    assert [r.title for r in view.now] == ["Unterlagen", "Frage offen"]  # deadline first
    assert {r.title for r in view.rest} == {"Beantwortet", "Zu"}
    assert view.now[0].days_left(view.today) == 5
    assert view.now[0].open_requests == 1
    assert {r.title: r.applicant_status for r in view.rest}["Zu"] == "closed"
    assert (await applications_view(JONAS)).now == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
async def test_any_search_text_is_safe_and_finds_only_matches(query: str) -> None:
    if await Room.count() == 0:  # the database fixture is per test, examples share it
        await builders.room(ERIKA, title="Antrag auf Wohngeld", case_ref="VG-1")
        await builders.room(JONAS, title="Gewerbe 100% _x_ Zuschuss", case_ref="GW-2")
    inbox = await inbox_view(SABINE, query=query)
    needle = inbox.query.lower()
    for row in inbox.rows:
        haystack = f"{row.case_ref}\n{row.title}\n{row.applicant_name}".lower()
        assert needle in haystack
    if not needle:
        assert len(inbox.rows) == 2
