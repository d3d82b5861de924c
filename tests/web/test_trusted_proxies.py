"""X-Forwarded-For is believed only from a proxy the operator named (app.trusted_proxies).

Served by uvicorn with the options `antragsraum serve` gives it: the connection's peer
is 127.0.0.1, which uvicorn's own default would trust.
"""

from __future__ import annotations

import httpx
import pytest

from rooms.kernel.authorities import do_set_allowed_networks
from tests import builders
from tests.conftest import serving
from tests.login import login

pytestmark = pytest.mark.usefixtures("database")

INSIDE = {"x-forwarded-for": "10.99.0.5"}  # inside demo-kreis's network; the peer is not


async def _otto_inbox(base_url: str) -> int:
    async with httpx.AsyncClient(base_url=base_url, headers=INSIDE) as browser:
        await login(browser, "otto")
        return (await browser.get("/inbox")).status_code


@pytest.fixture
async def kreis() -> None:
    await builders.authority("demo-kreis", "Landkreis Beispielkreis")
    await do_set_allowed_networks("demo-kreis", ["10.99.0.0/16"])


@pytest.mark.usefixtures("kreis")
async def test_the_header_is_ignored_unless_a_proxy_is_named(database, tmp_path) -> None:
    async with serving(database, tmp_path) as base_url:
        assert await _otto_inbox(base_url) == 403


@pytest.mark.usefixtures("kreis")
async def test_the_header_is_ignored_from_a_peer_that_is_not_the_named_proxy(
    database, tmp_path
) -> None:
    async with serving(database, tmp_path, trusted_proxies=["192.0.2.10"]) as base_url:
        assert await _otto_inbox(base_url) == 403


@pytest.mark.usefixtures("kreis")
async def test_the_header_of_a_named_proxy_gives_the_client_address(database, tmp_path) -> None:
    async with serving(database, tmp_path, trusted_proxies=["127.0.0.0/8"]) as base_url:
        assert await _otto_inbox(base_url) == 200
