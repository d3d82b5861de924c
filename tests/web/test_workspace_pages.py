"""The caseworker workspace through the pages: inbox, status, assignment, notes, templates."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.asyncio.client import connect

from rooms.casework.posting import check_post_message
from rooms.casework.requests import NewItem, check_create_request
from rooms.casework.text_templates import check_create_template
from rooms.casework.timeline import check_mark_read
from rooms.kernel.tables import InternalNote, Room, TextTemplate
from tests import builders
from tests.cast import ANNA, ERIKA, JONAS
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")


def row_ids(page: str) -> set[str]:
    return set(re.findall(r'<tr id="room-([0-9a-f-]+)"', page))


async def test_the_inbox_filters_counts_and_searches_without_javascript(app) -> None:
    replied = (await builders.room(ERIKA, title="Antrag auf Wohngeld")).room.id
    await check_post_message(ERIKA, replied, "Antwort")
    quiet = (await builders.room(JONAS, title="Baugenehmigung Gartenhaus")).room.id
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        page = await sabine.get("/inbox")
        assert page.status_code == 200
        assert row_ids(page.text) == {str(replied), str(quiet)}
        assert 'id="count-neu">(1)' in page.text
        assert 'id="count-wartet">(1)' in page.text
        assert 'name="filter" value="neu"' in page.text  # radio buttons, no script needed
        new = await sabine.get("/inbox", params={"filter": "neu"})
        assert row_ids(new.text) == {str(replied)}
        assert 'value="neu" checked' in new.text
        found = await sabine.get("/inbox", params={"q": "gartenhaus", "sort": "aktivitaet"})
        assert row_ids(found.text) == {str(quiet)}
        for odd in ("'\"<script>%_\\", "ä" * 1000, "\x00x", "%%%", "😀 ' OR 1=1 --"):
            response = await sabine.get("/inbox", params={"q": odd, "filter": "bogus"})
            assert response.status_code == 200, odd
            assert "<script>%" not in response.text  # escaped when echoed
        assert (await sabine.get("/inbox", params={"q": "%"})).text.count('<tr id="room-') == 0


async def test_status_and_closing_as_the_caseworker_and_what_the_applicant_sees(app) -> None:
    room = (await builders.room(ERIKA, title="Antrag auf Wohngeld")).room.id
    async with in_process(app) as sabine, in_process(app) as erika:
        await login(sabine, "sabine")
        await login(erika, "erika")
        page = await sabine.get(f"/rooms/{room}")
        assert 'name="progress" value="waiting"' in page.text
        set_it = await sabine.post(
            f"/rooms/{room}/status", data={"progress": "waiting", "_csrf_token": csrf(sabine)}
        )
        assert set_it.status_code == 303
        mine = await erika.get(f"/rooms/{room}")
        header = mine.text.split('id="room-status"', 1)[1].split("</div>", 1)[0]
        assert "Wartet auf Sie" in header
        assert "Zugewiesen" not in mine.text and 'id="status"' not in mine.text
        assert "Wartet auf Sie" in (await erika.get("/antraege")).text
        # the applicant cannot set it: the same 404 as a foreign room, valid or not
        for progress in ("decided", "bogus"):
            refused = await erika.post(
                f"/rooms/{room}/status", data={"progress": progress, "_csrf_token": csrf(erika)}
            )
            assert refused.status_code == 404, progress
        # closing needs confirmation
        confirm = await sabine.get(f"/rooms/{room}/close")
        assert confirm.status_code == 200 and 'name="confirm"' in confirm.text
        unconfirmed = await sabine.post(f"/rooms/{room}/close", data={"_csrf_token": csrf(sabine)})
        assert unconfirmed.status_code == 422
        assert (await Room.select(Room.status).where(Room.id == room).first())["status"] == "open"
        closed = await sabine.post(
            f"/rooms/{room}/close", data={"confirm": "yes", "_csrf_token": csrf(sabine)}
        )
        assert closed.status_code == 303
        assert "Abgeschlossen" in (await erika.get(f"/rooms/{room}")).text
        assert "Abgeschlossen" in (await erika.get("/antraege")).text


async def test_the_inbox_pages_keep_the_view_search_and_sort(app, monkeypatch) -> None:
    import rooms.casework.listings

    monkeypatch.setattr(rooms.casework.listings, "INBOX_PAGE_SIZE", 2)
    for n in range(5):
        await builders.room(ERIKA, title=f"Wohngeld {n}")
    await builders.room(JONAS, title="Elterngeld")
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        first = (await sabine.get("/inbox?q=Wohngeld&sort=aktivitaet")).text
        assert "5 Antragsräume – Seite 1 von 3" in first
        assert 'href="/inbox?filter=alle&amp;q=Wohngeld&amp;sort=aktivitaet&amp;page=2"' in first
        assert 'rel="prev"' not in first
        seen: set[str] = set()
        for page in (1, 2, 3):
            text = (await sabine.get(f"/inbox?q=Wohngeld&sort=aktivitaet&page={page}")).text
            assert "Elterngeld" not in text
            seen |= row_ids(text)
        assert len(seen) == 5
        last = (await sabine.get("/inbox?q=Wohngeld&sort=aktivitaet&page=3")).text
        assert 'rel="next"' not in last and 'rel="prev"' in last
        assert (await sabine.get("/inbox?page=0")).status_code == 400


async def test_assignment_with_a_handover_note_shows_in_the_header_and_the_inbox(app) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{room}")  # recorded as a participant: now known
        subject = await _subject_of_sabine(room)
        too_long = await sabine.post(
            f"/rooms/{room}/assignment",
            data={
                "assignee": subject,
                "team": "x" * 101,
                "note": "Übergabe",
                "_csrf_token": csrf(sabine),
            },
        )
        assert too_long.status_code == 422
        assert "Übergabe" in too_long.text  # nothing typed is lost
        done = await sabine.post(
            f"/rooms/{room}/assignment",
            data={
                "assignee": subject,
                "team": "Team Nord",
                "note": "Übergabe: Frist prüfen",
                "_csrf_token": csrf(sabine),
            },
        )
        assert done.status_code == 303
        page = await sabine.get(f"/rooms/{room}")
        assert 'id="room-assignee-name">Sabine Sachbearbeiterin<' in page.text
        assert 'id="room-team">Team Nord<' in page.text
        assert "Übergabe: Frist prüfen" in page.text.split('id="notizen"', 1)[1]
        mine = await sabine.get("/inbox", params={"filter": "mir"})
        assert row_ids(mine.text) == {str(room)}
        assert "Team Nord" in mine.text


async def _subject_of_sabine(room_id) -> str:  # type: ignore[no-untyped-def]
    from rooms.kernel.tables import Participant

    row = (
        await Participant.select(Participant.subject)
        .where((Participant.room == room_id) & (Participant.role == "caseworker"))
        .first()
    )
    assert row is not None
    return str(row["subject"])


async def test_notes_without_javascript_and_with_htmx(app) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with in_process(app) as sabine:
        await login(sabine, "sabine")
        page = await sabine.get(f"/rooms/{room}")
        assert "Intern – für Antragstellende nicht sichtbar" in page.text
        empty = await sabine.post(
            f"/rooms/{room}/notes", data={"note": " ", "_csrf_token": csrf(sabine)}
        )
        assert empty.status_code == 422 and 'id="note-body-error"' in empty.text
        saved = await sabine.post(
            f"/rooms/{room}/notes", data={"note": "Ohne Skript", "_csrf_token": csrf(sabine)}
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("#notizen")
        fragment = await sabine.post(
            f"/rooms/{room}/notes",
            data={"note": "Mit htmx"},
            headers={"HX-Request": "true", "x-csrftoken": csrf(sabine)},
        )
        assert fragment.status_code == 200
        assert fragment.text.lstrip().startswith('<section id="notizen"')
        assert "Ohne Skript" in fragment.text and "Mit htmx" in fragment.text
        assert await InternalNote.count() == 2


async def test_admin_manages_text_templates_and_bad_placeholders_are_named(app) -> None:
    await builders.authority()
    async with in_process(app) as anna, in_process(app) as sabine:
        await login(anna, "anna")
        index = await anna.get("/admin")
        assert 'href="/admin/textbausteine"' in index.text
        bad = await anna.post(
            "/admin/textbausteine",
            data={"name": "Rückfrage", "body": "Hallo {vorname}", "_csrf_token": csrf(anna)},
        )
        assert bad.status_code == 422
        assert "Unbekannter Platzhalter: {vorname}" in bad.text
        assert "Hallo {vorname}" in bad.text
        created = await anna.post(
            "/admin/textbausteine",
            data={"name": "Rückfrage", "body": "Hallo {antragsteller}", "_csrf_token": csrf(anna)},
        )
        assert created.status_code == 303
        [row] = await TextTemplate.select(TextTemplate.id)
        edit = await anna.get("/admin/textbausteine", params={"id": str(row["id"])})
        assert 'value="Rückfrage"' in edit.text
        changed = await anna.post(
            "/admin/textbausteine",
            data={
                "id": str(row["id"]),
                "name": "Rückfrage 2",
                "body": "Zu {aktenzeichen}",
                "_csrf_token": csrf(anna),
            },
        )
        assert changed.status_code == 303
        assert "Rückfrage 2" in (await anna.get("/admin/textbausteine")).text
        # a caseworker does not administer: 404 on every route
        await login(sabine, "sabine")
        await sabine.get("/inbox")
        assert (await sabine.get("/admin/textbausteine")).status_code == 404
        refused = await sabine.post(
            "/admin/textbausteine/loeschen",
            data={"id": str(row["id"]), "_csrf_token": csrf(sabine)},
        )
        assert refused.status_code == 404
        deleted = await anna.post(
            "/admin/textbausteine/loeschen", data={"id": str(row["id"]), "_csrf_token": csrf(anna)}
        )
        assert deleted.status_code == 303
        assert await TextTemplate.count() == 0


async def test_inserting_a_template_into_the_composer_with_and_without_htmx(app) -> None:
    room = (await builders.room(ERIKA, case_ref="VG-42")).room.id
    template_id = await check_create_template(
        ANNA, "Frist", "Guten Tag {antragsteller}, zu {aktenzeichen} bis {frist}."
    )
    deadline = datetime.now(UTC).date() + timedelta(days=9)
    from tests.cast import SABINE

    await check_create_request(SABINE, room, "Bitte", [NewItem("Nachweis")], deadline)
    async with in_process(app) as sabine, in_process(app) as erika:
        await login(sabine, "sabine")
        page = await sabine.get(f"/rooms/{room}")
        assert 'id="composer-template"' in page.text and ">Frist</option>" in page.text
        plain = await sabine.post(
            f"/rooms/{room}/composer",
            data={
                "body": "Schon getippt.",
                "template": str(template_id),
                "_csrf_token": csrf(sabine),
            },
        )
        assert plain.status_code == 200
        expected = f"Guten Tag Erika Mustermann, zu VG-42 bis {deadline:%d.%m.%Y}."
        textarea = plain.text.split('id="message-body"', 1)[1].split("</textarea>", 1)[0]
        assert "Schon getippt.\n\n" + expected in textarea
        assert 'id="timeline"' in plain.text  # the whole page
        swapped = await sabine.post(
            f"/rooms/{room}/composer",
            data={"body": "", "template": str(template_id)},
            headers={"HX-Request": "true", "x-csrftoken": csrf(sabine)},
        )
        assert swapped.status_code == 200
        assert swapped.text.lstrip().startswith('<form id="composer"')
        assert expected in swapped.text
        # a template deleted meanwhile (or a forged id): refused, the typed text kept
        for gone in (str(uuid.uuid4()), "kein-uuid"):
            refused_plain = await sabine.post(
                f"/rooms/{room}/composer",
                data={"body": "Nicht verlieren.", "template": gone, "_csrf_token": csrf(sabine)},
            )
            assert refused_plain.status_code == 422, gone
            assert 'id="composer-template-error"' in refused_plain.text
            assert ">Nicht verlieren.</textarea>" in refused_plain.text
        refused_htmx = await sabine.post(
            f"/rooms/{room}/composer",
            data={"body": "Nicht verlieren.", "template": str(uuid.uuid4())},
            headers={"HX-Request": "true", "x-csrftoken": csrf(sabine)},
        )
        assert refused_htmx.status_code == 422
        assert refused_htmx.text.lstrip().startswith('<form id="composer"')
        assert ">Nicht verlieren.</textarea>" in refused_htmx.text
        # applicants have no templates, and get 404 from the route
        await login(erika, "erika")
        assert 'id="composer-template"' not in (await erika.get(f"/rooms/{room}")).text
        refused = await erika.post(
            f"/rooms/{room}/composer",
            data={"body": "", "template": str(template_id), "_csrf_token": csrf(erika)},
        )
        assert refused.status_code == 404


async def test_meine_antraege_puts_what_needs_the_applicant_now_first(app) -> None:
    asked = (await builders.room(ERIKA, title="Rückfrage offen")).room.id
    done = (await builders.room(ERIKA, title="Alles erledigt")).room.id
    await check_mark_read(ERIKA, done, 1)  # she read the authority's message and answered
    await check_post_message(ERIKA, done, "Erledigt")
    from tests.cast import SABINE

    deadline = datetime.now(UTC).date() + timedelta(days=4)
    await check_create_request(SABINE, asked, "Bitte", [NewItem("Nachweis")], deadline)
    async with in_process(app) as erika:
        await login(erika, "erika")
        page = (await erika.get("/antraege")).text
        now, rest = page.split('id="jetzt"', 1)[1].split('id="weitere"', 1)
        assert "Rückfrage offen" in now and "noch 4 Tage" in now
        assert "Alles erledigt" in rest and "Alles erledigt" not in now
        assert page.index("Jetzt für Sie zu tun") < page.index("Weitere Anträge")
        assert "Eingegangen" in rest


async def test_a_status_change_reaches_the_applicants_open_page_live(server) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with (
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{room}")
        cookie = "; ".join(f"{k}={v}" for k, v in erika.cookies.items())
        url = f"{server.replace('http', 'ws', 1)}/rooms/{room}/live?after=1"
        async with connect(
            url, origin=server, additional_headers={"Cookie": cookie}, open_timeout=5
        ) as socket:  # type: ignore[arg-type]
            posted = await sabine.post(
                f"/rooms/{room}/status", data={"progress": "waiting", "_csrf_token": csrf(sabine)}
            )
            assert posted.status_code == 303
            async with asyncio.timeout(5):
                frame = str(await socket.recv())
        assert 'hx-target="#room-status"' in frame
        assert "Wartet auf Sie" in frame
        assert "Zugewiesen" not in frame  # staff information stays with the staff


async def test_closing_takes_the_composer_off_the_applicants_open_page(server) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with (
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(erika, "erika")
        await login(sabine, "sabine")
        await sabine.get(f"/rooms/{room}")
        cookie = "; ".join(f"{k}={v}" for k, v in erika.cookies.items())
        url = f"{server.replace('http', 'ws', 1)}/rooms/{room}/live?after=1"
        async with connect(
            url, origin=server, additional_headers={"Cookie": cookie}, open_timeout=5
        ) as socket:  # type: ignore[arg-type]
            closed = await sabine.post(
                f"/rooms/{room}/close", data={"confirm": "yes", "_csrf_token": csrf(sabine)}
            )
            assert closed.status_code == 303
            async with asyncio.timeout(5):
                frame = str(await socket.recv())
        assert 'hx-target="#composer"' in frame and "geschlossen" in frame
        assert 'hx-target="#upload-section" hx-swap="delete"' in frame
        assert "#decision-form" not in frame  # the applicant has none
        page = (await erika.get(f"/rooms/{room}")).text
        assert 'id="composer"' not in page and 'id="room-closed"' in page


async def test_closing_takes_the_writing_forms_off_the_caseworkers_open_page(server) -> None:
    room = (await builders.room(ERIKA)).room.id
    async with (
        httpx.AsyncClient(base_url=server) as second,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(sabine, "sabine")
        await login(second, "sabine")  # her second browser
        page = (await sabine.get(f"/rooms/{room}")).text
        forms = ("#status", "#zuweisung", "#note-form", "#close-room")
        for form in forms:
            assert f'id="{form[1:]}"' in page, form
        cookie = "; ".join(f"{k}={v}" for k, v in second.cookies.items())
        url = f"{server.replace('http', 'ws', 1)}/rooms/{room}/live?after=1"
        async with connect(
            url, origin=server, additional_headers={"Cookie": cookie}, open_timeout=5
        ) as socket:  # type: ignore[arg-type]
            closed = await sabine.post(
                f"/rooms/{room}/close", data={"confirm": "yes", "_csrf_token": csrf(sabine)}
            )
            assert closed.status_code == 303
            async with asyncio.timeout(5):
                frame = str(await socket.recv())
        assert 'hx-target="#composer"' in frame
        for form in ("#request-form", "#decision-form", *forms):
            assert f'hx-target="{form}" hx-swap="delete"' in frame, form
        reloaded = (await sabine.get(f"/rooms/{room}")).text
        for form in forms:
            assert f'id="{form[1:]}"' not in reloaded, form
