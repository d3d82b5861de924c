"""Staff work only from their authority's networks; citizens anywhere."""

from __future__ import annotations

import pytest

from rooms.kernel.authorities import do_set_allowed_networks
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA
from tests.login import login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")


async def test_caseworker_outside_the_networks_is_refused_everywhere(app) -> None:
    result = await builders.room(ERIKA)
    await do_set_allowed_networks("demo-stadt", ["10.20.0.0/16"])
    async with in_process(app, "192.0.2.7") as outside:
        await login(outside, "sabine")
        for path in ("/inbox", f"/rooms/{result.room.id}"):
            response = await outside.get(path)
            assert response.status_code == 403
            assert "Zugriff nur aus dem Netz Ihrer Behörde" in response.text
            assert "Antrag auf Wohngeld" not in response.text
    async with in_process(app, "10.20.3.4") as inside:
        await login(inside, "sabine")
        assert (await inside.get("/inbox")).status_code == 200
    refused = (
        await AuditEvent.select().where(AuditEvent.action == "access_denied").output(load_json=True)
    )
    assert {row["detail"]["reason"] for row in refused} == {"network"}


async def test_an_authority_without_networks_admits_no_staff(app) -> None:
    await builders.authority()
    await do_set_allowed_networks("demo-stadt", [])
    async with in_process(app, "127.0.0.1") as local:
        await login(local, "sabine")
        assert (await local.get("/inbox")).status_code == 403


async def test_citizens_are_not_restricted_by_network(app) -> None:
    result = await builders.room(ERIKA)
    await do_set_allowed_networks("demo-stadt", ["10.20.0.0/16"])
    async with in_process(app, "198.51.100.9") as anywhere:
        await login(anywhere, "erika")
        assert (await anywhere.get(f"/rooms/{result.room.id}")).status_code == 200
