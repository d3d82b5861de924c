"""Login through the development IdP: the happy paths, sessions, logout."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from litestar import Litestar

from app.identity.devidp import DEV_ISSUER
from rooms.kernel.tables import AuditEvent
from tests.identity.conftest import COOKIE, csrf_post, session_data
from tests.login import choose_persona, login

pytestmark = pytest.mark.on_both_backends  # sessions in memory and in Redis


async def last_audit(action: str) -> dict[str, Any]:
    rows = (
        await AuditEvent.select()
        .where(AuditEvent.action == action)
        .order_by(AuditEvent.at, ascending=False)
        .first()
    )
    assert rows is not None
    return rows


async def test_login_page_lists_providers(client: httpx.AsyncClient) -> None:
    page = await client.get("/login?next=/rooms/abc")
    assert page.status_code == 200
    assert "Anmelden" in page.text
    assert "Entwicklungs-Anmeldung (Demo-Personen)" in page.text
    assert 'href="/login/dev?next=/rooms/abc"' in page.text
    assert COOKIE not in client.cookies  # anonymous visitors get no session


@pytest.mark.parametrize(
    ("persona", "landing", "kind", "extra"),
    [
        ("erika", "/antraege", "citizen", {"trust_level": "substantial"}),
        ("jonas", "/antraege", "citizen", {"trust_level": "normal"}),
        ("max", "/antraege", "business", {"organisation": "demo-org-beispiel-gmbh"}),
        ("sabine", "/inbox", "staff", {"authority_slug": "demo-stadt", "roles": ["caseworker"]}),
        ("otto", "/inbox", "staff", {"authority_slug": "demo-kreis", "roles": ["caseworker"]}),
    ],
)
async def test_login_round_trip(
    app: Litestar,
    client: httpx.AsyncClient,
    persona: str,
    landing: str,
    kind: str,
    extra: dict[str, Any],
) -> None:
    response = await login(client, persona)
    assert response.status_code == 303
    assert response.headers["location"] == landing
    actor = (await session_data(app, client))["actor"]
    assert actor["issuer"] == DEV_ISSUER  # the same at any address
    assert actor["subject"].startswith("demo-")
    assert actor["kind"] == kind
    assert extra.items() <= actor.items()
    event = await last_audit("login")
    assert (event["outcome"], event["actor_kind"]) == ("ok", kind)
    page = await client.get("/login")
    assert 'id="login-current"' in page.text


async def test_login_returns_to_next(client: httpx.AsyncClient) -> None:
    response = await login(client, "erika", query="?next=/rooms/42%3Ftab%3D1")
    assert response.headers["location"] == "/rooms/42?tab=1"


async def test_the_login_flow_keeps_next_with_its_query(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    page = await client.get("/login?next=/einladung%3Fcode%3DABC%26x%3D1")
    assert 'href="/login/dev?next=/einladung%3Fcode%3DABC%26x%3D1"' in page.text
    started = await client.get("/login/dev?next=/einladung%3Fcode%3DABC%26x%3D1")
    flow = (await session_data(app, client))["oidc_flow"]
    assert flow["next"] == "/einladung?code=ABC&x=1"
    chosen = await choose_persona(client, started.headers["location"], "jonas")
    callback = await client.get(httpx.URL(chosen.headers["location"]).raw_path.decode())
    assert callback.status_code == 303
    assert callback.headers["location"] == "/einladung?code=ABC&x=1"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
async def test_login_ignores_foreign_next(client: httpx.AsyncClient, target: str) -> None:
    response = await login(client, "erika", query=f"?next={target}")
    assert response.headers["location"] == "/antraege"


async def test_session_id_rotates_at_login(app: Litestar, client: httpx.AsyncClient) -> None:
    await client.get("/login/dev")
    before = client.cookies[COOKIE]
    assert "oidc_flow" in await session_data(app, client)
    await login(client, "erika")
    after = client.cookies[COOKIE]
    assert after != before
    assert await app.stores.get("sessions").get(before) is None
    assert "oidc_flow" not in await session_data(app, client)


async def test_planted_session_id_is_not_adopted(app: Litestar, client: httpx.AsyncClient) -> None:
    client.cookies.set(COOKIE, "attacker-chosen-id", domain="127.0.0.1")
    await client.get("/login/dev")
    assert client.cookies[COOKIE] != "attacker-chosen-id"
    assert await app.stores.get("sessions").get("attacker-chosen-id") is None


async def test_logout_clears_session(app: Litestar, client: httpx.AsyncClient) -> None:
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    response = await csrf_post(client, "/logout")
    assert response.status_code == 303
    assert response.headers["location"].startswith("http://127.0.0.1:8000/dev-idp/logout?")
    assert await app.stores.get("sessions").get(session_id) is None
    assert "actor" not in await session_data(app, client)
    assert 'id="login-current"' not in (await client.get("/login")).text
    assert (await last_audit("logout"))["actor_kind"] == "citizen"


async def test_logout_needs_csrf_token(app: Litestar, client: httpx.AsyncClient) -> None:
    await login(client, "erika")
    response = await client.post("/logout")
    assert response.status_code == 403
    assert "actor" in await session_data(app, client)


async def _age_session(app: Litestar, client: httpx.AsyncClient, key: str, seconds: int) -> None:
    store = app.stores.get("sessions")
    data = await session_data(app, client)
    data[key] = int(time.time()) - seconds
    await store.set(client.cookies[COOKIE], httpx.Response(200, json=data).content)


@pytest.mark.parametrize(("key", "seconds"), [("_seen_at", 31 * 60), ("_login_at", 13 * 3600)])
async def test_expired_session_is_anonymous(
    app: Litestar, client: httpx.AsyncClient, key: str, seconds: int
) -> None:
    await login(client, "erika")
    session_id = client.cookies[COOKIE]
    await _age_session(app, client, key, seconds)
    page = await client.get("/login")
    assert 'id="login-current"' not in page.text
    assert await app.stores.get("sessions").get(session_id) is None


async def test_active_session_survives(app: Litestar, client: httpx.AsyncClient) -> None:
    await login(client, "erika")
    await _age_session(app, client, "_seen_at", 29 * 60)
    page = await client.get("/login")
    assert 'id="login-current"' in page.text
    assert int(time.time()) - (await session_data(app, client))["_seen_at"] < 5
