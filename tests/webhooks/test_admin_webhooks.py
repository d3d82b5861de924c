"""/admin/webhooks: subscriptions, the secret shown once, dead letters and "deliver again"."""

from __future__ import annotations

import re

import httpx
import pytest

from app.settings import WebhookSettings
from app.webhooks.worker import DeliveryWorker
from rooms.kernel.authorities import find_authority
from rooms.kernel.tables import AuditEvent, WebhookDelivery, WebhookSubscription
from rooms.kernel.vocabulary import DeliveryState
from rooms.outbound.webhooks.subscriptions import do_create_subscription
from tests import builders
from tests.cast import ERIKA
from tests.login import csrf, login
from tests.webhooks.receiver import FakeClock, Receiver, receiving

pytestmark = pytest.mark.usefixtures("database")

CASE_REF = "VG-2026-WEBHOOK-77"


async def as_admin(http: httpx.AsyncClient) -> None:
    await builders.authority()
    done = await login(http, "anna")
    assert done.status_code == 303
    await http.get("/admin/webhooks")


async def test_the_admin_creates_a_subscription_and_sees_the_secret_once(http) -> None:
    await as_admin(http)
    index = await http.get("/admin")
    assert 'href="/admin/webhooks"' in index.text
    created = await http.post(
        "/admin/webhooks",
        data={
            "url": "https://fachverfahren.example.de/hooks",
            "event_types": ["room.created", "timeline.item_added"],
            "_csrf_token": csrf(http),
        },
    )
    assert created.status_code == 200, created.text
    [secret] = re.findall(r'value="(whsec_[A-Za-z0-9+/=]+)"', created.text)
    assert "nur jetzt angezeigt" in created.text
    assert created.headers["cache-control"] == "no-store"
    [row] = await WebhookSubscription.select().output(load_json=True)
    assert row["secret"] == secret and row["url"] == "https://fachverfahren.example.de/hooks"
    assert row["event_types"] == ["room.created", "timeline.item_added"]
    page = await http.get("/admin/webhooks")
    assert secret not in page.text  # never again
    assert "https://fachverfahren.example.de/hooks" in page.text
    assert "room.created, timeline.item_added" in page.text
    audit = await AuditEvent.select().where(AuditEvent.action == "webhook_subscription_created")
    assert len(audit) == 1 and secret not in str(audit[0]["detail"])


async def test_an_http_url_is_refused_where_https_is_required(http) -> None:
    await as_admin(http)
    refused = await http.post(
        "/admin/webhooks",
        data={"url": "http://fachverfahren.example.de/hooks", "_csrf_token": csrf(http)},
    )
    assert refused.status_code == 422
    assert "muss mit https:// beginnen" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="http://fachverfahren.example.de/hooks"' in refused.text  # kept for fixing
    assert await WebhookSubscription.count() == 0
    english = await http.get("/admin/webhooks?lang=en")
    assert "Undelivered events" in english.text


async def test_an_endpoint_in_a_non_public_network_is_refused(http) -> None:
    await as_admin(http)
    refused = await http.post(
        "/admin/webhooks",
        data={"url": "https://169.254.169.254/latest/meta-data", "_csrf_token": csrf(http)},
    )
    assert refused.status_code == 422
    assert "nicht öffentlichen Netz" in refused.text
    assert await WebhookSubscription.count() == 0


async def test_the_admin_disables_a_subscription_but_not_another_authoritys(http) -> None:
    await as_admin(http)
    own = await find_authority("demo-stadt")
    other = await find_authority(await builders.authority("demo-kreis", "Landkreis Demo"))
    assert own and other
    mine, _ = await do_create_subscription(own, "https://a.example/h", require_https=True)
    theirs, _ = await do_create_subscription(other, "https://b.example/h", require_https=True)
    foreign = await http.post(
        f"/admin/webhooks/{theirs.id}/disable", data={"_csrf_token": csrf(http)}
    )
    assert foreign.status_code == 404
    done = await http.post(f"/admin/webhooks/{mine.id}/disable", data={"_csrf_token": csrf(http)})
    assert done.status_code == 303 and done.headers["location"] == "/admin/webhooks"
    states = {
        str(r["id"]): r["disabled_at"] is not None
        for r in await WebhookSubscription.select(
            WebhookSubscription.id, WebhookSubscription.disabled_at
        )
    }
    assert states == {str(mine.id): True, str(theirs.id): False}
    assert "abgeschaltet am" in (await http.get("/admin/webhooks")).text


async def make_dead_letter(slug: str = "demo-stadt") -> int:
    """A delivery that failed every attempt (500, 500) against a real receiver."""
    clock = FakeClock()
    receiver = Receiver(clock=clock, answers=[500, 500])
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        authority = await find_authority(await builders.authority(slug))
        assert authority
        _, receiver.secret = await do_create_subscription(authority, url, require_https=False)
        await builders.room(ERIKA, authority_slug=slug, case_ref=CASE_REF, message=None)
        worker = DeliveryWorker(WebhookSettings(retry_delays=[5]), client, clock=clock)
        await worker.step()
        clock.advance(6)
        await worker.step()
    assert len(receiver.received) == 2
    [row] = await WebhookDelivery.select().where(WebhookDelivery.state == "dead")
    return int(row["id"])


async def test_a_dead_letter_is_shown_and_delivered_again(http) -> None:
    await as_admin(http)
    delivery = await make_dead_letter()
    page = await http.get("/admin/webhooks")
    row = page.text.split(f'id="delivery-{delivery}"', 1)[1].split("</tr>", 1)[0]
    assert "room.created" in row and CASE_REF in row and "HTTP 500" in row
    assert '<td class="kern-table__cell">2</td>' in row  # attempts
    assert "Erneut zustellen" in row
    again = await http.post(
        f"/admin/webhooks/deliveries/{delivery}/redeliver", data={"_csrf_token": csrf(http)}
    )
    assert again.status_code == 303
    [after] = await WebhookDelivery.select().where(WebhookDelivery.id == delivery)
    assert after["state"] == DeliveryState.pending.value and after["attempts"] == 0
    assert f'id="delivery-{delivery}"' not in (await http.get("/admin/webhooks")).text
    # The worker sends it again, and this time the receiver takes it.
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        [sub] = await WebhookSubscription.select(WebhookSubscription.id, WebhookSubscription.secret)
        receiver.secret = sub["secret"]
        await WebhookSubscription.update({WebhookSubscription.url: url}).where(
            WebhookSubscription.id == sub["id"]
        )
        await DeliveryWorker(WebhookSettings(), client, clock=clock).step()
    assert len(receiver.accepted) == 1
    [done] = await WebhookDelivery.select().where(WebhookDelivery.id == delivery)
    assert done["state"] == DeliveryState.delivered.value
    assert await AuditEvent.count().where(AuditEvent.action == "webhook_redelivered") == 1


@pytest.mark.parametrize("persona", ["anna", "sabine", "erika", "max"])
async def test_anyone_but_the_own_admin_gets_404_for_deliver_again(http, persona) -> None:
    """Anna administers demo-stadt; the dead letter is demo-kreis's."""
    await builders.authority()
    delivery = await make_dead_letter("demo-kreis")
    await login(http, persona)
    await http.get("/")
    answer = await http.post(
        f"/admin/webhooks/deliveries/{delivery}/redeliver", data={"_csrf_token": csrf(http)}
    )
    missing = await http.post(
        "/admin/webhooks/deliveries/999999/redeliver", data={"_csrf_token": csrf(http)}
    )
    assert answer.status_code == missing.status_code == 404
    assert answer.text == missing.text
    [row] = await WebhookDelivery.select().where(WebhookDelivery.id == delivery)
    assert row["state"] == DeliveryState.dead.value
    if persona == "anna":  # and her own page does not list it
        assert CASE_REF not in (await http.get("/admin/webhooks")).text


async def test_anonymous_visitors_are_sent_to_the_login(http) -> None:
    await http.get("/")
    answer = await http.post(
        "/admin/webhooks/deliveries/1/redeliver", data={"_csrf_token": csrf(http)}
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


async def test_a_dead_letter_of_a_disabled_subscription_stays_dead(http) -> None:
    """Put back in line it would wait forever (a disabled subscription sends nothing)."""
    await as_admin(http)
    delivery = await make_dead_letter()
    [sub] = await WebhookSubscription.select(WebhookSubscription.id)
    await http.post(f"/admin/webhooks/{sub['id']}/disable", data={"_csrf_token": csrf(http)})
    page = await http.get("/admin/webhooks")
    row = page.text.split(f'id="delivery-{delivery}"', 1)[1].split("</tr>", 1)[0]
    assert CASE_REF in row and "Erneut zustellen" not in row
    for _ in range(2):
        again = await http.post(
            f"/admin/webhooks/deliveries/{delivery}/redeliver", data={"_csrf_token": csrf(http)}
        )
        assert again.status_code == 303
    [after] = await WebhookDelivery.select().where(WebhookDelivery.id == delivery)
    assert after["state"] == DeliveryState.dead.value
    assert await AuditEvent.count().where(AuditEvent.action == "webhook_redelivered") == 0


async def test_deliver_again_twice_puts_it_back_once(http) -> None:
    await as_admin(http)
    delivery = await make_dead_letter()
    for _ in range(2):
        again = await http.post(
            f"/admin/webhooks/deliveries/{delivery}/redeliver", data={"_csrf_token": csrf(http)}
        )
        assert again.status_code == 303
    [after] = await WebhookDelivery.select().where(WebhookDelivery.id == delivery)
    assert after["state"] == DeliveryState.pending.value
    assert await AuditEvent.count().where(AuditEvent.action == "webhook_redelivered") == 1
