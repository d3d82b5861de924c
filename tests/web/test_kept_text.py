"""Typed text survives a session that ended while typing, on the served app without JS."""

from __future__ import annotations

import html
import secrets

import httpx
import pytest

from rooms.casework.lifecycle import check_close_room
from rooms.kernel.tables import Message
from tests.cast import ERIKA, SABINE
from tests.conftest import serving
from tests.login import choose_persona, csrf, login
from tests.notify.conftest import room_for

pytestmark = pytest.mark.usefixtures("database")

TYPED = "Anbei die Erklärung zu meinem Einkommen <b>2025</b> – bitte prüfen"
KEPT = "Ihre Sitzung war abgelaufen. Sie sind wieder angemeldet; Ihr Text wurde aufbewahrt"


async def test_a_session_that_ended_while_typing_keeps_the_text_for_the_room(
    database, tmp_path
) -> None:
    room_id = await room_for(ERIKA, "")
    room = f"/rooms/{room_id}"
    async with serving(database, tmp_path) as base_url, httpx.AsyncClient(base_url=base_url) as b:
        await login(b, "erika")
        assert (await b.get(room)).status_code == 200
        token = csrf(b)
        # The session ended while she typed: the browser still sends the cookie, the
        # server no longer knows the session (as after the idle timeout).
        [cookie] = [c for c in b.cookies.jar if c.name == "antragsraum_session"]
        b.cookies.set(cookie.name, secrets.token_hex(32), domain=cookie.domain, path=cookie.path)
        posted = await b.post(
            f"{room}/messages",
            data={"body": TYPED, "_csrf_token": token},
            headers={"referer": f"{base_url}{room}"},
        )
        assert posted.status_code == 303
        assert posted.headers["location"] == f"/login?next={room}"
        start = await b.get(f"/login/dev?next={room}")
        chosen = await choose_persona(b, start.headers["location"], "erika")
        back = await b.get(httpx.URL(chosen.headers["location"]).raw_path.decode())
        assert back.status_code == 303, back.text[:3000]
        assert back.headers["location"] == room
        page = await b.get(room)
        assert page.status_code == 200
        assert KEPT in page.text
        assert html.escape(TYPED, quote=False) in page.text.split('id="message-body"')[1]
        again = await b.get(room)
        assert KEPT not in again.text  # offered once


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
async def test_a_room_closed_while_typing_gives_the_text_back(database, tmp_path, htmx) -> None:
    room_id = await room_for(ERIKA, "")
    room = f"/rooms/{room_id}"
    async with serving(database, tmp_path) as base_url, httpx.AsyncClient(base_url=base_url) as b:
        await login(b, "erika")
        assert (await b.get(room)).status_code == 200
        await check_close_room(SABINE, room_id)  # the caseworker closes it meanwhile
        headers = {"hx-request": "true"} if htmx else {}
        answer = await b.post(
            f"{room}/messages", data={"body": TYPED, "_csrf_token": csrf(b)}, headers=headers
        )
    assert answer.status_code == (200 if htmx else 409)
    assert "inzwischen geschlossen" in answer.text
    kept = answer.text.split('id="closed-text-body"')[1]
    assert html.escape(TYPED, quote=False) in kept
    assert await Message.count().where(Message.room == room_id) == 0


async def test_a_refused_security_check_gives_the_text_back_and_the_way_back(
    database, tmp_path
) -> None:
    room_id = await room_for(ERIKA, "")
    room = f"/rooms/{room_id}"
    async with serving(database, tmp_path) as base_url, httpx.AsyncClient(base_url=base_url) as b:
        await login(b, "erika")
        assert (await b.get(room)).status_code == 200
        answer = await b.post(
            f"{room}/messages",
            data={"body": TYPED, "_csrf_token": "0" * 32 + "." + "0" * 64},  # stale
            headers={"referer": f"{base_url}{room}"},
        )
    assert answer.status_code == 403
    assert "Sicherheitsprüfung des Formulars ist fehlgeschlagen" in answer.text
    assert html.escape(TYPED, quote=False) in answer.text.split("<textarea")[1]
    assert f'href="{room}"' in answer.text
    assert "0" * 64 not in answer.text  # the token is not echoed
    assert await Message.count().where(Message.room == room_id) == 0
