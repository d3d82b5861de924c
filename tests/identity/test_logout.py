"""Logout: RP-initiated through the development IdP, and back-channel from the provider."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar import Litestar
from piccolo.engine import Engine
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import app as app_package
from app.identity.devidp import DEV_CLIENT_ID, DEV_ISSUER, DevIdentityProvider
from app.identity.devidp_routes import dev_identity_provider
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA
from tests.conftest import serving
from tests.identity.conftest import BASE_URL, COOKIE, csrf_post, session_data
from tests.login import csrf, login

pytestmark = pytest.mark.on_both_backends  # sessions and sockets in memory and in Redis

BACKCHANNEL = "/auth/backchannel-logout"
ISSUER = DEV_ISSUER


def idp(app: Litestar) -> DevIdentityProvider:
    found = dev_identity_provider(app)
    assert found is not None
    return found


async def logged_in(app: Litestar, client: httpx.AsyncClient) -> bool:
    return "actor" in await session_data(app, client)


async def send_logout(app_or_base: Litestar | str, token: str) -> httpx.Response:
    """POST a logout token as a provider would: its own connection, no cookies, no CSRF."""
    if isinstance(app_or_base, str):
        options: dict[str, Any] = {"base_url": app_or_base}
    else:
        options = {"base_url": BASE_URL, "transport": httpx.ASGITransport(app=app_or_base)}  # type: ignore[arg-type]
    async with httpx.AsyncClient(**options) as provider:
        return await provider.post(BACKCHANNEL, data={"logout_token": token})


async def last_logout_event() -> dict[str, Any]:
    event = await (
        AuditEvent.select()
        .where(AuditEvent.action == "logout")
        .output(load_json=True)
        .order_by(AuditEvent.at, ascending=False)
        .first()
    )
    assert event is not None
    return event


# --- RP-initiated logout ------------------------------------------------------------------


async def test_logout_goes_to_the_provider_with_hint_and_comes_back(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    id_token = (await session_data(app, client))["oidc"]["id_token"]
    response = await csrf_post(client, "/logout")
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{BASE_URL}/dev-idp/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": f"{BASE_URL}/",
        "client_id": DEV_CLIENT_ID,
    }
    assert await app.stores.get("sessions").get(session_id) is None
    assert not await logged_in(app, client)
    back = await client.get(f"{target.path}?{target.query}")
    assert back.status_code == 303
    assert back.headers["location"] == f"{BASE_URL}/"


async def test_logout_carries_state_back(app: Litestar, client: httpx.AsyncClient) -> None:
    await login(client, "erika")
    id_token = (await session_data(app, client))["oidc"]["id_token"]
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": f"{BASE_URL}/", "state": "x1"}
    back = await client.get(f"/dev-idp/logout?{urlencode(query)}")
    assert back.headers["location"] == f"{BASE_URL}/?state=x1"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"post_logout_redirect_uri": "https://evil.example/"}, "post_logout_redirect_uri"),
        ({"id_token_hint": "not-a-token"}, "id_token_hint"),
        ({"id_token_hint": None}, "id_token_hint"),
        ({"client_id": "someone-else"}, "client"),
    ],
)
async def test_dev_idp_refuses_a_bad_logout_request(
    app: Litestar, client: httpx.AsyncClient, change: dict[str, str | None], reason: str
) -> None:
    from app.identity import texts

    await login(client, "erika")
    id_token = (await session_data(app, client))["oidc"]["id_token"]
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": f"{BASE_URL}/", **change}
    params = {k: v for k, v in query.items() if v is not None}
    page = await client.get(f"/dev-idp/logout?{urlencode(params)}")
    assert page.status_code == 400
    assert texts.DEV_IDP_REFUSED[reason] in page.text


async def test_dev_idp_refuses_a_hint_signed_by_another_key(app: Litestar) -> None:
    other = RSAKey.generate_key(2048, {"kid": str(idp(app).key.kid)})
    claims = {"iss": ISSUER, "aud": DEV_CLIENT_ID, "sub": "x", "iat": int(time.time())}
    forged = jwt.encode({"alg": "RS256", "kid": other.kid}, claims, other)
    with pytest.raises(Exception, match="id_token_hint"):
        idp(app).check_logout({"id_token_hint": forged})


# --- back-channel logout ------------------------------------------------------------------


async def test_backchannel_logout_by_sid_ends_that_session(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    sid = (await session_data(app, client))["oidc"]["sid"]
    response = await send_logout(app, idp(app).make_logout_token(sid=sid))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert await app.stores.get("sessions").get(session_id) is None
    page = await client.get("/login")
    assert 'id="login-current"' not in page.text  # the next request is anonymous
    event = await last_logout_event()
    assert (event["outcome"], event["actor_kind"]) == ("ok", "citizen")
    assert event["detail"]["via"] == "backchannel"


async def test_backchannel_logout_by_sub_ends_all_sessions_of_that_user(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as second,
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as other_user,
    ):
        await login(client, "erika")
        await login(second, "erika")
        await login(other_user, "jonas")
        token = idp(app).make_logout_token(sub="demo-citizen-erika")
        assert (await send_logout(app, token)).status_code == 200
        assert not await logged_in(app, client)
        assert not await logged_in(app, second)
        assert await logged_in(app, other_user)


async def test_backchannel_logout_with_sid_and_foreign_sub_ends_nothing(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await login(client, "erika")
    sid = (await session_data(app, client))["oidc"]["sid"]
    token = idp(app).make_logout_token(sub="demo-citizen-jonas", sid=sid)
    assert (await send_logout(app, token)).status_code == 200
    assert await logged_in(app, client)


async def test_backchannel_logout_of_an_unknown_session_is_fine(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    response = await send_logout(app, idp(app).make_logout_token(sid="no-such-session"))
    assert response.status_code == 200


def _forged(dev_idp: DevIdentityProvider) -> str:
    """Same kid, other key material: the signature does not verify."""
    other = RSAKey.generate_key(2048, {"kid": str(dev_idp.key.kid)})
    now = int(time.time())
    claims = {
        "iss": dev_idp.issuer,
        "aud": DEV_CLIENT_ID,
        "iat": now,
        "jti": "forged",
        "sub": "demo-citizen-erika",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    return jwt.encode({"alg": "RS256", "kid": other.kid}, claims, other)


def _token(dev_idp: DevIdentityProvider, case: str, sid: str) -> str:
    now = int(time.time())
    make = dev_idp.make_logout_token
    tokens = {
        "bad_signature": lambda: _forged(dev_idp),
        "wrong_iss": lambda: make(sid=sid, iss="http://127.0.0.1:1/other"),
        "wrong_aud": lambda: make(sid=sid, aud="another-client"),
        "missing_events": lambda: make(sid=sid, events=None),
        "wrong_event": lambda: make(sid=sid, events={"http://example.org/other": {}}),
        "event_not_object": lambda: make(
            sid=sid, events={"http://schemas.openid.net/event/backchannel-logout": "yes"}
        ),
        "with_nonce": lambda: make(sid=sid, nonce="n1"),
        "expired": lambda: make(sid=sid, iat=now - 1200, exp=now - 600),
        "too_old": lambda: make(sid=sid, iat=now - 3600, exp=now + 600),
        "future_iat": lambda: make(sid=sid, iat=now + 3600),
        "missing_iat": lambda: make(sid=sid, iat=None),
        "missing_jti": lambda: make(sid=sid, jti=None),
        "no_sub_no_sid": lambda: make(),
        "alg_none": lambda: _unsigned(sid),
        "garbage": lambda: "not.a.token",
        "empty": lambda: "",
    }
    return tokens[case]()


def _unsigned(sid: str) -> str:
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"iss": ISSUER, "aud": DEV_CLIENT_ID, "iat": int(time.time()), "jti": "u", "sid": sid}
    claims["events"] = {"http://schemas.openid.net/event/backchannel-logout": {}}
    return f"{part({'alg': 'none'})}.{part(claims)}."


@pytest.mark.parametrize(
    "case",
    [
        "bad_signature",
        "wrong_iss",
        "wrong_aud",
        "missing_events",
        "wrong_event",
        "event_not_object",
        "with_nonce",
        "expired",
        "too_old",
        "future_iat",
        "missing_iat",
        "missing_jti",
        "no_sub_no_sid",
        "alg_none",
        "garbage",
        "empty",
    ],
)
async def test_invalid_logout_token_is_refused(
    app: Litestar, client: httpx.AsyncClient, case: str
) -> None:
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    sid = (await session_data(app, client))["oidc"]["sid"]
    response = await send_logout(app, _token(idp(app), case, sid))
    assert response.status_code == 400, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == "invalid_request"
    assert await app.stores.get("sessions").get(session_id) is not None
    assert await logged_in(app, client)
    event = await last_logout_event()
    assert (event["outcome"], event["detail"]["via"]) == ("failed", "backchannel")


async def test_missing_or_misplaced_logout_token_is_refused(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    assert (await client.post(BACKCHANNEL, data={})).status_code == 400
    assert (await client.post(BACKCHANNEL, json={"logout_token": "x"})).status_code == 400
    assert (await client.post(BACKCHANNEL, content=b"\xff\xfe")).status_code == 400


async def test_replayed_jti_is_refused(app: Litestar, client: httpx.AsyncClient) -> None:
    first = idp(app).make_logout_token(sid="some-other-session", jti="once")
    assert (await send_logout(app, first)).status_code == 200
    assert (await send_logout(app, first)).status_code == 400
    await login(client, "erika")
    sid = (await session_data(app, client))["oidc"]["sid"]
    again = idp(app).make_logout_token(sid=sid, jti="once")
    response = await send_logout(app, again)
    assert response.status_code == 400
    assert "replay" in response.json()["error_description"]
    assert await logged_in(app, client)


async def test_a_request_in_flight_does_not_revive_an_ended_session(
    app: Litestar, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backend does not write back a session that ended while a request ran."""
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    store = app.stores.get("sessions")
    real_get = store.get

    async def get_then_end(key: str) -> bytes | None:
        value = await real_get(key)
        if key == session_id:
            await store.delete(key)  # a back-channel logout lands right now
        return value

    monkeypatch.setattr(type(store), "get", lambda _, key, renew_for=None: get_then_end(key))
    await client.get("/login")
    monkeypatch.undo()
    assert await store.get(session_id) is None


# --- open websockets ----------------------------------------------------------------------


@pytest.fixture
async def served(
    database: Engine, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Litestar, str]]:
    """The app under uvicorn (``tests.conftest.serving``), and the app object itself."""
    created: list[Litestar] = []
    original = app_package.create_app

    def capture(*args: Any, **kwargs: Any) -> Litestar:
        created.append(original(*args, **kwargs))
        return created[-1]

    monkeypatch.setattr(app_package, "create_app", capture)
    async with serving(database, tmp_path) as base_url:
        yield created[0], base_url


def _socket(base: str, client: httpx.AsyncClient, room_id: object):  # type: ignore[no-untyped-def]
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return connect(
        f"{base.replace('http', 'ws', 1)}/rooms/{room_id}/live?after=0",
        origin=base,  # type: ignore[arg-type]
        additional_headers={"Cookie": cookies},
        open_timeout=5,
    )


async def _closed_code(socket: Any) -> int:
    """Read until the server closes; the close code (within a second)."""
    async with asyncio.timeout(1):
        try:
            while True:
                await socket.recv()
        except ConnectionClosed as exc:
            assert exc.rcvd is not None
            return int(exc.rcvd.code)


async def _open_room_socket(base: str, client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    await login(client, "erika")
    result = await builders.room(ERIKA)
    socket = await _socket(base, client, result.room.id)
    async with asyncio.timeout(5):
        await socket.recv()  # the backlog: the socket is subscribed
    return socket


async def test_backchannel_logout_closes_the_open_websocket(
    served: tuple[Litestar, str],
) -> None:
    application, base = served
    async with httpx.AsyncClient(base_url=base) as erika:
        socket = await _open_room_socket(base, erika)
        try:
            token = idp(application).make_logout_token(sub="demo-citizen-erika")
            response = await send_logout(base, token)
            assert response.status_code == 200, response.text
            assert await _closed_code(socket) == 4401
        finally:
            await socket.close()
        page = await erika.get("/login")
        assert 'id="login-current"' not in page.text


async def test_local_logout_closes_the_open_websocket(served: tuple[Litestar, str]) -> None:
    _, base = served
    async with httpx.AsyncClient(base_url=base) as erika:
        socket = await _open_room_socket(base, erika)
        try:
            response = await erika.post("/logout", data={"_csrf_token": csrf(erika)})
            assert response.status_code == 303
            assert await _closed_code(socket) == 4401
        finally:
            await socket.close()


async def test_a_socket_of_an_already_ended_session_closes(
    served: tuple[Litestar, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    application, base = served
    async with httpx.AsyncClient(base_url=base) as erika:
        await login(erika, "erika")
        result = await builders.room(ERIKA)
        cookies = dict(erika.cookies.items())
        session_id = cookies[COOKIE]
        # The session ends between the handshake's session load and the subscription:
        # simulated by ending it in the store after the cookie was read.
        store = application.stores.get("sessions")
        real_get = store.get

        async def get_then_end(key: str) -> bytes | None:
            value = await real_get(key)
            if key == session_id:
                await store.delete(key)
            return value

        monkeypatch.setattr(type(store), "get", lambda _, key, renew_for=None: get_then_end(key))
        async with _socket(base, erika, result.room.id) as socket:
            assert await _closed_code(socket) == 4401
