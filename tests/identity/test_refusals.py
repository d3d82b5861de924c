"""Every broken or forged login is refused with a clear page and no session."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from litestar import Litestar

from app.identity import texts
from rooms.kernel.tables import AuditEvent
from tests.identity.conftest import csrf_post, session_data
from tests.identity.rogue_idp import RogueIdp
from tests.login import authorize_url, choose_persona, login


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


async def assert_refused(
    app: Litestar, client: httpx.AsyncClient, response: httpx.Response, reason: str
) -> None:
    assert response.status_code == 400, response.text
    assert texts.LOGIN_FAILED_TITLE in response.text
    assert texts.LOGIN_FAILED[reason] in response.text
    assert "actor" not in await session_data(app, client)
    event = await (
        AuditEvent.select().output(load_json=True).order_by(AuditEvent.at, ascending=False).first()
    )
    assert event is not None
    assert (event["action"], event["outcome"], event["detail"]["reason"]) == (
        "login",
        "failed",
        reason,
    )


async def callback_url(client: httpx.AsyncClient, url: str, persona: str = "erika") -> str:
    chosen = await choose_persona(client, url, persona)
    assert chosen.status_code == 303
    return chosen.headers["location"]


async def test_callback_without_login_flow(app: Litestar, client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/callback?code=abc&state=xyz")
    await assert_refused(app, client, response, "state")


@pytest.mark.parametrize("state", ["", "forged-state"])
async def test_wrong_or_missing_state(app: Litestar, client: httpx.AsyncClient, state: str) -> None:
    target = await callback_url(client, await authorize_url(client))
    response = await client.get(with_param(target, state=state))
    await assert_refused(app, client, response, "state")


async def test_flow_is_single_use(app: Litestar, client: httpx.AsyncClient) -> None:
    target = await callback_url(client, await authorize_url(client))
    await client.get(with_param(target, state="forged-state"))
    response = await client.get(target)  # the genuine answer, too late
    await assert_refused(app, client, response, "state")


async def test_tampered_nonce(app: Litestar, client: httpx.AsyncClient) -> None:
    url = with_param(await authorize_url(client), nonce="attacker-nonce")
    response = await client.get(await callback_url(client, url))
    await assert_refused(app, client, response, "nonce")


async def test_wrong_pkce_verifier(app: Litestar, client: httpx.AsyncClient) -> None:
    forged = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # challenge of another verifier
    url = with_param(await authorize_url(client), code_challenge=forged)
    response = await client.get(await callback_url(client, url))
    await assert_refused(app, client, response, "token")


async def test_code_replay(app: Litestar, client: httpx.AsyncClient) -> None:
    first = await callback_url(client, await authorize_url(client))
    assert (await client.get(first)).status_code == 303
    await csrf_post(client, "/logout")
    code = parse_qs(urlsplit(first).query)["code"][0]
    second = await callback_url(client, await authorize_url(client), persona="jonas")
    response = await client.get(with_param(second, code=code))
    await assert_refused(app, client, response, "token")


async def test_user_cancels_at_provider(app: Litestar, client: httpx.AsyncClient) -> None:
    response = await client.get(await callback_url(client, await authorize_url(client), ""))
    await assert_refused(app, client, response, "provider_error")


async def test_insufficient_trust_level_is_refused(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """The plain persona stays too weak; only its simulated eID confirmation steps up."""
    url = await authorize_url(client, query="?acr=substantial")
    page = await client.get(url)
    assert re.search(r'id="persona-jonas"[^>]* disabled>', page.text)
    assert 'id="persona-jonas-eid"' in page.text
    assert 'id="persona-erika" disabled' not in page.text
    response = await client.get(await callback_url(client, url, persona="jonas"))
    await assert_refused(app, client, response, "provider_error")


async def rogue_callback_url(client: httpx.AsyncClient) -> str:
    """Visit the external provider over the network, as a browser would."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(await authorize_url(client, "rogue"))
    assert answer.status_code == 303
    return answer.headers["location"]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("foreign_key", "signature"),
        ("wrong_issuer", "issuer"),
        ("wrong_audience", "audience"),
        ("expired", "expired"),
    ],
)
async def test_forged_id_token(
    app: Litestar, client: httpx.AsyncClient, rogue: RogueIdp, mode: str, reason: str
) -> None:
    rogue.mode = mode
    response = await client.get(await rogue_callback_url(client))
    await assert_refused(app, client, response, reason)


async def test_external_provider_over_the_network(
    app: Litestar, client: httpx.AsyncClient, rogue: RogueIdp
) -> None:
    response = await client.get(await rogue_callback_url(client))
    assert response.status_code == 303
    actor = (await session_data(app, client))["actor"]
    assert actor["issuer"] == rogue.issuer
    assert actor["subject"] == "bpk2-erika"
    assert actor["kind"] == "citizen"  # the public IdP's "authority" claim is ignored
    assert actor["trust_level"] == "high"  # eIDAS LoA high


async def test_provider_down(app: Litestar, client: httpx.AsyncClient) -> None:
    response = await client.get("/login/down")
    assert response.status_code == 502
    assert texts.PROVIDER_UNAVAILABLE in response.text
    assert await session_data(app, client) == {}


async def test_unknown_provider(client: httpx.AsyncClient) -> None:
    response = await client.get("/login/nope")
    assert response.status_code == 404
    assert texts.UNKNOWN_PROVIDER in response.text


async def test_failed_login_keeps_no_session(app: Litestar, client: httpx.AsyncClient) -> None:
    await authorize_url(client)
    assert await session_data(app, client) != {}
    await client.get("/auth/callback?code=abc&state=forged")
    assert await session_data(app, client) == {}
    assert client.cookies.get("antragsraum_session") in (None, "null")


async def test_second_login_replaces_first(app: Litestar, client: httpx.AsyncClient) -> None:
    await login(client, "erika")
    await login(client, "sabine")
    assert (await session_data(app, client))["actor"]["subject"] == "demo-staff-sabine"
