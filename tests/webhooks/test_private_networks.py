"""Webhooks never reach into non-public networks unless the operator allows them.

An authority's admin chooses the endpoint URL; without this guard the portal could be
made to post into its own network (cloud metadata, internal services).
"""

from __future__ import annotations

import httpx
import pytest

from app.settings import AppSettings, Settings, WebhookSettings
from app.webhooks.worker import DeliveryWorker
from rooms.kernel.errors import Invalid
from rooms.kernel.tables import WebhookDelivery
from rooms.outbound.webhooks.urls import destination_allowed, validate_url
from tests import builders
from tests.cast import ERIKA
from tests.webhooks.receiver import FakeClock, Receiver, receiving
from tests.webhooks.test_delivery import settings, subscribe


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254", "100.64.0.1", "::1",
     "fe80::1", "fd00::7", "::ffff:10.0.0.1", "0.0.0.0"],  # noqa: S104
)  # fmt: skip
def test_non_public_addresses_need_an_allowed_network(address: str) -> None:
    assert not destination_allowed(address, [])
    assert destination_allowed(address, None)  # development: anything
    assert destination_allowed(address, ["0.0.0.0/0", "::/0"])


def test_public_addresses_are_always_allowed() -> None:
    for address in ("93.184.215.14", "2a00:1450:4001:80e::200e"):
        assert destination_allowed(address, [])


def test_only_the_allowed_network_is_opened() -> None:
    assert destination_allowed("10.20.3.4", ["10.20.0.0/16"])
    assert not destination_allowed("10.21.3.4", ["10.20.0.0/16"])


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hooks", "https://localhost:8443/h", "https://[::1]/h",
     "https://169.254.169.254/latest/meta-data", "https://10.0.0.5/h"],
)  # fmt: skip
def test_a_subscription_to_a_non_public_address_is_refused_with_a_reason(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        validate_url(url, require_https=True, private_networks=[])
    assert refused.value.errors == {"url": "url_private"}
    assert validate_url(url, require_https=True, private_networks=None) == url


def test_names_are_left_to_the_worker_and_public_addresses_pass() -> None:
    assert validate_url("https://fachverfahren.example/h", require_https=True, private_networks=[])
    assert validate_url("https://93.184.215.14/h", require_https=True, private_networks=[])


def test_production_allows_no_private_network_unless_configured() -> None:
    assert Settings().webhook_private_networks is None  # development: any
    production = AppSettings(mode="production")
    assert Settings(app=production).webhook_private_networks == []
    opened = Settings(app=production, webhooks=WebhookSettings(private_networks=["10.20.0.0/16"]))
    assert opened.webhook_private_networks == ["10.20.0.0/16"]


@pytest.mark.usefixtures("database")
async def test_the_worker_resolves_the_endpoint_and_refuses_a_private_address() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url.replace("127.0.0.1", "localhost"))
        await builders.room(ERIKA, message=None)
        closed = DeliveryWorker(settings(), client, clock=clock, private_networks=[])
        assert await closed.step() == 1
        assert receiver.received == []  # nothing left the portal
        [row] = await WebhookDelivery.select()
        assert row["state"] == "pending" and "address not allowed" in row["last_error"]
        clock.advance(60)
        opened = DeliveryWorker(settings(), client, clock=clock, private_networks=["127.0.0.0/8"])
        await opened.step()
    assert len(receiver.accepted) == 1
