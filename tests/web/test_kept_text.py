"""Typed text survives a session that ended while typing, on the served app without JS."""

from __future__ import annotations

import html
import secrets

import httpx
import pytest

from tests.cast import ERIKA
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
