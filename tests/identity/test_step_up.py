"""Step-up: a login asking for more assurance (``?acr=``), audited, under a new session id.

The development IdP lets a citizen or business persona confirm with a simulated
Online-Ausweis, so that the whole step-up can be walked through end to end.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from joserfc import jwt
from litestar import Litestar

from app.identity.devidp_routes import dev_identity_provider
from app.identity.logout import OIDC_KEY
from rooms.kernel.actors import TrustLevel
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import JONAS
from tests.identity.conftest import COOKIE, session_data
from tests.login import authorize_url, hidden_inputs, login


def _path(url: str) -> str:
    return httpx.URL(url).raw_path.decode()


async def confirm_with_eid(client: httpx.AsyncClient, url: str, persona: str) -> httpx.Response:
    """Open the development IdP's page and press ``persona``'s simulated eID button."""
    page = await client.get(_path(url))
    assert page.status_code == 200, page.text
    assert f'id="persona-{persona}-eid"' in page.text
    form = {**hidden_inputs(page.text), "eid_persona": persona}
    return await client.post("/dev-idp/authorize", data=form)


async def step_up_events() -> list[dict[str, Any]]:
    query = AuditEvent.select().where(AuditEvent.action == "step_up").output(load_json=True)
    rows: list[dict[str, Any]] = await query.order_by(AuditEvent.at)
    return rows


async def test_persona_page_offers_simulated_eid_to_citizens_and_businesses(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get(_path(await authorize_url(client, query="?acr=high")))
    for persona in ("erika", "jonas", "max"):  # citizens and a business, all below "high"
        assert re.search(rf'id="persona-{persona}"[^>]* disabled>', page.text)
        assert f'id="persona-{persona}-eid"' in page.text
    for persona in ("sabine", "otto"):  # staff: no eID simulation
        assert re.search(rf'id="persona-{persona}"[^>]* disabled>', page.text)
        assert f'id="persona-{persona}-eid"' not in page.text
    assert "mit Online-Ausweis bestätigen (simuliert)" in page.text

    plain = await client.get(_path(await authorize_url(client)))
    assert "-eid" not in plain.text  # nothing to step up to: no simulation offered


async def test_simulated_eid_issues_the_requested_acr(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    chosen = await confirm_with_eid(
        client, await authorize_url(client, query="?acr=substantial"), "jonas"
    )
    assert chosen.status_code == 303
    response = await client.get(_path(chosen.headers["location"]))
    assert response.status_code == 303, response.text
    session = await session_data(app, client)
    assert session["actor"]["trust_level"] == "substantial"
    dev_idp = dev_identity_provider(app)
    assert dev_idp is not None
    claims = jwt.decode(session[OIDC_KEY]["id_token"], dev_idp.key).claims
    assert (claims["sub"], claims["acr"]) == ("demo-citizen-jonas", "substantial")
    assert claims["amr"] == ["eid-simulated"]  # says what it is: a simulation


@pytest.mark.parametrize(
    ("query", "persona"),
    [
        ("?acr=substantial", "sabine"),  # staff: never simulated
        ("?acr=substantial", "erika"),  # already enough: the plain button is the way
        ("", "jonas"),  # no step-up asked for
    ],
)
async def test_simulated_eid_only_where_offered(
    app: Litestar, client: httpx.AsyncClient, query: str, persona: str
) -> None:
    page = await client.get(_path(await authorize_url(client, query=query)))
    form = {**hidden_inputs(page.text), "eid_persona": persona}
    chosen = await client.post("/dev-idp/authorize", data=form)
    assert chosen.status_code == 303
    assert "error=access_denied" in chosen.headers["location"]


async def test_step_up_in_a_running_session_gets_a_new_id_and_is_audited(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await login(client, "jonas")
    first_id = client.cookies.get(COOKIE)
    assert (await session_data(app, client))["actor"]["trust_level"] == "normal"
    before = len(await step_up_events())

    chosen = await confirm_with_eid(
        client, await authorize_url(client, query="?acr=substantial"), "jonas"
    )
    response = await client.get(_path(chosen.headers["location"]))
    assert response.status_code == 303, response.text

    second_id = client.cookies.get(COOKIE)
    assert second_id and second_id != first_id
    assert await app.stores.get("sessions").get(first_id) is None  # the old id is gone
    assert (await session_data(app, client))["actor"]["trust_level"] == "substantial"
    events = await step_up_events()
    assert len(events) == before + 1
    assert events[-1]["detail"] == {"requested": "substantial", "granted": "substantial"}
    assert events[-1]["outcome"] == "ok"


async def test_plain_login_records_no_step_up(app: Litestar, client: httpx.AsyncClient) -> None:
    before = len(await step_up_events())
    await login(client, "erika")
    assert len(await step_up_events()) == before


async def test_jonas_steps_up_into_a_room_requiring_substantial(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    result = await builders.room(JONAS, min_trust_level=TrustLevel.substantial, title="Beihilfe")
    room_path = f"/rooms/{result.room.id}"
    before = len(await step_up_events())

    await login(client, "jonas")  # normal
    refused = await client.get(room_path)
    assert refused.status_code == 403
    assert "Beihilfe" not in refused.text
    link = re.search(r'id="step-up" href="([^"]+)"', refused.text)
    assert link, refused.text

    start = await client.get(html.unescape(link.group(1)))
    assert start.status_code == 303
    chosen = await confirm_with_eid(client, start.headers["location"], "jonas")
    assert chosen.status_code == 303
    back = await client.get(_path(chosen.headers["location"]))
    assert back.status_code == 303, back.text
    assert back.headers["location"] == room_path

    room = await client.get(room_path)
    assert room.status_code == 200, room.text
    assert "Beihilfe" in room.text
    events = await step_up_events()
    assert len(events) == before + 1
    assert events[-1]["detail"] == {"requested": "substantial", "granted": "substantial"}
