"""The development IdP is one provider wherever the app is reached.

Applicants are keyed by (issuer, subject). The demo personas' rooms, seeded or made by
a case store, must stay theirs when the app is served at another address: so the
development IdP's issuer is fixed, and only its endpoints follow the address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from piccolo.engine import Engine

from app.identity.devidp import DEV_ISSUER
from app.seed import seed_demo
from rooms.kernel.tables import Room
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings, serving
from tests.login import login

pytestmark = pytest.mark.usefixtures("database")


async def test_a_room_made_for_a_persona_is_hers_at_any_address(
    database: Engine[Any], tmp_path: Path
) -> None:
    room = (await builders.room(ERIKA)).room.id
    await seed_demo(make_settings(tmp_path, base_url="https://demo.example"))
    seeded = await Room.select(Room.id).where(Room.case_ref == "WG-2026-000042").first()
    assert seeded is not None
    for attempt in range(2):  # two servers, two ports: the same provider
        async with (
            serving(database, tmp_path / str(attempt)) as base_url,
            httpx.AsyncClient(base_url=base_url) as browser,
        ):
            metadata = (await browser.get("/dev-idp/.well-known/openid-configuration")).json()
            assert metadata["issuer"] == DEV_ISSUER
            assert metadata["authorization_endpoint"] == f"{base_url}/dev-idp/authorize"
            await login(browser, "erika")
            assert (await browser.get(f"/rooms/{room}")).status_code == 200
            assert (await browser.get(f"/rooms/{seeded['id']}")).status_code == 200
            listing = (await browser.get("/antraege")).text
            assert "Antrag auf Wohngeld" in listing
