"""Where a delivery goes: one spelling of an address, resolved once, connected as checked.

Real receivers on loopback addresses stand for the authority's endpoint (127.0.0.1,
allowed through ``webhooks.private_networks``) and for an internal service the
portal must never reach (127.0.0.2, not allowed). A scripted resolver plays the
DNS answers an attacker controls.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from app.webhooks.worker import DeliveryWorker, make_client
from rooms.kernel.errors import Invalid
from rooms.kernel.tables import WebhookDelivery, WebhookSubscription
from rooms.outbound.webhooks.urls import validate_url
from tests import builders
from tests.cast import ERIKA
from tests.servers import free_port
from tests.webhooks.receiver import FakeClock, Receiver, receiving
from tests.webhooks.resolving import scripted_resolver
from tests.webhooks.test_delivery import DELAYS, settings, subscribe
from tests.webhooks.tls import server_certificate

ENDPOINT_ONLY = ["127.0.0.1/32"]
"""The operator opened the endpoint's address; 127.0.0.2 (the internal service) is closed."""

# 127.0.0.1 in forms that inet_aton/getaddrinfo or browsers read as an address.
ODD_FORMS = ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "0x7f.0.0.1", "127.0.0.1."]


@pytest.mark.parametrize("host", [*ODD_FORMS, "2852039166", "169.254.169.254.", "1.2.3"])
@pytest.mark.parametrize("private_networks", [[], None])
def test_a_non_canonical_address_is_refused_at_creation(
    host: str, private_networks: list[str] | None
) -> None:
    with pytest.raises(Invalid) as refused:
        validate_url(f"https://{host}/hooks", require_https=True, private_networks=private_networks)
    assert refused.value.errors == {"url": "url_address_form"}


def test_names_and_canonical_addresses_still_pass() -> None:
    for url in ("https://1.example/h", "https://93.184.215.14/h", "https://hooks.example./h"):
        assert validate_url(url, require_https=True, private_networks=[]) == url


async def _stored_as(url: str) -> None:
    """A subscription whose URL was stored before the check knew better."""
    await WebhookSubscription.update({WebhookSubscription.url: url}, force=True)


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize("host", ODD_FORMS)
async def test_a_non_canonical_address_is_refused_at_delivery(host: str) -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await _stored_as(url.replace("127.0.0.1", host))
        await builders.room(ERIKA, message=None)
        worker = DeliveryWorker(settings(), client, clock=clock, private_networks=ENDPOINT_ONLY)
        assert await worker.step() == 1
    assert receiver.received == []
    [row] = await WebhookDelivery.select()
    assert row["state"] == "pending" and "no canonical address" in row["last_error"]


@pytest.mark.usefixtures("database")
async def test_an_unresolvable_name_fails_on_schedule_and_is_not_tried_by_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unknown to the check, internal to the connection: nothing may go out."""
    clock = FakeClock()
    internal = Receiver(clock=clock)
    async with (
        receiving(internal, host="127.0.0.2") as internal_url,
        httpx.AsyncClient() as client,
    ):
        port = httpx.URL(internal_url).port
        with scripted_resolver(monkeypatch) as dns:
            dns.answer("hooks.example", OSError(-2, "Name or service not known"), ["127.0.0.2"])
            internal.secret = await subscribe(f"http://hooks.example:{port}/hooks")
            await builders.room(ERIKA, message=None)
            worker = DeliveryWorker(settings(), client, clock=clock, private_networks=ENDPOINT_ONLY)
            assert await worker.step() == 1
    assert internal.received == []
    [row] = await WebhookDelivery.select()
    assert row["state"] == "pending" and row["attempts"] == 1
    assert "host not resolvable: hooks.example" in row["last_error"]
    waited = (row["next_attempt_at"] - clock.now).total_seconds()
    assert DELAYS[0] * 0.9 <= waited <= DELAYS[0] * 1.1  # the first retry delay, with jitter


@pytest.mark.usefixtures("database")
async def test_a_rebinding_name_is_connected_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()
    endpoint, internal = Receiver(clock=clock), Receiver(clock=clock)
    port = free_port()
    async with (
        receiving(endpoint, port=port),
        receiving(internal, host="127.0.0.2", port=port),
        httpx.AsyncClient() as client,
    ):
        with scripted_resolver(monkeypatch) as dns:
            dns.answer("hooks.example", ["127.0.0.1"], ["127.0.0.2"])
            endpoint.secret = internal.secret = await subscribe(
                f"http://hooks.example:{port}/hooks"
            )
            await builders.room(ERIKA, message=None)
            worker = DeliveryWorker(settings(), client, clock=clock, private_networks=ENDPOINT_ONLY)
            assert await worker.step() == 1
    assert internal.received == []
    [request] = endpoint.accepted
    assert request.headers["host"] == f"hooks.example:{port}"
    [row] = await WebhookDelivery.select()
    assert row["state"] == "delivered"


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize(
    ("certified", "delivered"), [("hooks.example", True), ("other.example", False)]
)
async def test_https_to_a_pinned_address_checks_the_certificate_for_the_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, certified: str, delivered: bool
) -> None:
    """SNI and the certificate check use the configured name, not the address."""
    tls, trusting = server_certificate(tmp_path, certified)
    clock = FakeClock()
    endpoint = Receiver(clock=clock)
    async with (
        receiving(endpoint, tls=tls) as url,
        make_client(settings(), verify=trusting) as client,
    ):
        port = httpx.URL(url).port
        with scripted_resolver(monkeypatch) as dns:
            dns.answer("hooks.example", ["127.0.0.1"])
            endpoint.secret = await subscribe(f"https://hooks.example:{port}/hooks")
            await builders.room(ERIKA, message=None)
            worker = DeliveryWorker(settings(), client, clock=clock, private_networks=ENDPOINT_ONLY)
            assert await worker.step() == 1
    [row] = await WebhookDelivery.select()
    if delivered:
        assert row["state"] == "delivered"
        assert [r.headers["host"] for r in endpoint.accepted] == [f"hooks.example:{port}"]
    else:
        assert row["state"] == "pending" and endpoint.received == []
        assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
    assert isinstance(trusting, ssl.SSLContext)
