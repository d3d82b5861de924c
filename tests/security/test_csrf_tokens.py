"""CSRF tokens that are well formed but wrong are refused on a form route, an htmx
route and an upload route: another session's token, a bad signature, a mismatched
cookie, and a pair an attacker fetched for themselves and planted.

Every refused request is sent with the victim's session, which succeeds with the
right token (checked after them), so a 403 here is the token check and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from app.csrf import COOKIE, new_token
from tests import builders
from tests.cast import ERIKA
from tests.login import authorize_url, choose_persona, csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")

SESSION = "antragsraum_session"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

Send = Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]


def form_post(room: str) -> Send:
    async def send(client: httpx.AsyncClient, cookie: str, token: str) -> httpx.Response:
        return await client.post(
            f"/rooms/{room}/messages",
            data={"body": "Bitte um Rückruf.", "_csrf_token": token},
            headers={"cookie": cookie},
        )

    return send


def htmx_post(room: str) -> Send:
    async def send(client: httpx.AsyncClient, cookie: str, token: str) -> httpx.Response:
        return await client.post(
            f"/rooms/{room}/messages",
            data={"body": "Bitte um Rückruf."},
            headers={"cookie": cookie, "hx-request": "true", "x-csrftoken": token},
        )

    return send


def upload_post(room: str) -> Send:
    async def send(client: httpx.AsyncClient, cookie: str, token: str) -> httpx.Response:
        return await client.post(
            f"/rooms/{room}/uploads",
            data={"_csrf_token": token},
            files=[("file", ("Nachweis.pdf", PDF, "application/pdf"))],
            headers={"cookie": cookie},
        )

    return send


ROUTES = {"form": (form_post, 303), "htmx": (htmx_post, 200), "upload": (upload_post, 303)}


def cookies(session_id: str, csrf_cookie: str) -> str:
    return f"{SESSION}={session_id}; {COOKIE}={csrf_cookie}"


def bad_signature(token: str) -> str:
    nonce, _, mac = token.partition(".")
    flipped = ("1" if mac[0] == "0" else "0") + mac[1:]
    return f"{nonce}.{flipped}"


@pytest.fixture(params=sorted(ROUTES))
def route(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_well_formed_wrong_tokens_are_refused(app, route: str) -> None:
    result = await builders.room(ERIKA)
    room = str(result.room.id)
    make, succeeded = ROUTES[route]
    send = make(room)
    async with in_process(app) as erika, in_process(app) as mallory, in_process(app) as bare:
        # Erika's token from before her login: the session she logged in from.
        chosen = await choose_persona(erika, await authorize_url(erika), "erika")
        before_login = csrf(erika)
        await erika.get(httpx.URL(chosen.headers["location"]).raw_path.decode())
        await erika.get(f"/rooms/{room}")
        session_id, token = erika.cookies[SESSION], csrf(erika)

        # Mallory's own signed pair, from his own session.
        await login(mallory, "jonas")
        await mallory.get("/antraege")
        planted = csrf(mallory)

        refusals = {
            "another session's token (before login)": (before_login, before_login),
            "an attacker's own signed pair, planted": (planted, planted),
            "a bad signature": (bad_signature(token), bad_signature(token)),
            "a cookie that is not the token sent": (
                token,
                new_token(app.state.secret, session_id),  # valid for the session, yet another
            ),
        }
        accepted = [
            name
            for name, (csrf_cookie, sent) in refusals.items()
            if (await send(bare, cookies(session_id, csrf_cookie), sent)).status_code != 403
        ]
        assert accepted == [], f"{route} accepted {accepted}"

        right = await send(bare, cookies(session_id, token), token)
        assert right.status_code == succeeded, right.text
        assert before_login != token  # the login rotated the token with the session
