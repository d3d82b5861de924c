"""Signed webhook delivery: verified by standardwebhooks, retried, at least once, in order."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from uuid import UUID

import httpx
import pytest

from app.settings import WebhookSettings
from app.webhooks.worker import DeliveryWorker
from rooms.casework.posting import check_post_message
from rooms.kernel.authorities import find_authority
from rooms.kernel.tables import WebhookDelivery, WebhookSubscription
from rooms.kernel.vocabulary import DeliveryState
from rooms.outbound.webhooks.subscriptions import do_create_subscription
from tests import builders
from tests.cast import ERIKA, JONAS, SABINE
from tests.webhooks.receiver import FakeClock, Receiver, receiving

pytestmark = pytest.mark.usefixtures("database")

# Short delays keep every fake timestamp within standardwebhooks' five-minute tolerance.
DELAYS = [10.0, 30.0, 90.0]
SECRET_TEXT = "Geheimer Nachrichtentext Birkenweg-8812"


def settings(**overrides: object) -> WebhookSettings:
    values: dict[str, object] = {"retry_delays": DELAYS, "jitter": 0.1, "lease_seconds": 60.0}
    values.update(overrides)
    return WebhookSettings(**values)  # type: ignore[arg-type]


async def subscribe(url: str, *types: str, slug: str = "demo-stadt") -> str:
    authority = await find_authority(await builders.authority(slug))
    assert authority is not None
    _, secret = await do_create_subscription(authority, url, types, require_https=False)
    return secret


async def deliveries() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = await WebhookDelivery.select().order_by(WebhookDelivery.id)
    return rows


async def test_a_delivery_is_signed_per_standard_webhooks_and_carries_ids_only() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        result = await builders.room(ERIKA, message=None)
        await check_post_message(ERIKA, result.room.id, SECRET_TEXT)
        await check_post_message(SABINE, result.room.id, SECRET_TEXT + " (Antwort)")
        worker = DeliveryWorker(settings(), client, clock=clock)
        for _ in range(5):
            await worker.step()
    assert len(receiver.received) == 3
    assert all(r.payload is not None for r in receiver.received), "a signature did not verify"
    kinds = [r.payload["type"] for r in receiver.received]
    assert kinds == ["room.created", "timeline.item_added", "timeline.item_added"]
    for r in receiver.received:
        assert SECRET_TEXT not in r.body.decode()
        assert ERIKA.name not in r.body.decode()
        assert r.headers["webhook-id"] == r.payload["data"]["event_id"]
        assert r.payload["data"]["room_id"] == str(result.room.id)
        assert int(r.headers["webhook-timestamp"]) == int(clock.now.timestamp())
        assert r.headers["webhook-signature"].startswith("v1,")
    cursors = [r.payload["data"]["cursor"] for r in receiver.received]
    assert cursors == sorted(cursors)
    assert {row["state"] for row in await deliveries()} == {DeliveryState.delivered.value}


async def test_a_forged_signature_is_refused_by_the_verifier() -> None:
    """Control: the receiver's verification can fail (another secret: no match)."""
    clock = FakeClock()
    receiver = Receiver(clock=clock, secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB")
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        await subscribe(url)  # the receiver does not know this secret
        await builders.room(ERIKA, message=None)
        await DeliveryWorker(settings(), client, clock=clock).step()
    [got] = receiver.received
    assert got.payload is None and got.status == 400


async def test_three_failures_then_success_at_the_configured_delays() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock, answers=[500, 503, 502])
    rand_values = iter([0.0, 0.5, 1.0 - 1e-9])  # the jitter's extremes and its middle
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await builders.room(ERIKA, message=None)
        worker = DeliveryWorker(settings(), client, clock=clock, rand=lambda: next(rand_values))
        start = clock.now
        assert await worker.step() == 1  # attempt 1: 500
        # Not due before its time, due at it: step in one-second ticks.
        for _ in range(200):
            clock.advance(1)
            await worker.step()
            if receiver.accepted:
                break
    assert [r.status for r in receiver.received] == [500, 503, 502, 200]
    assert len(receiver.accepted) == 1
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # the same event
    offsets = [(r.at - start).total_seconds() for r in receiver.received]
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    # delays x (1 + 0.1 * (2 * rand - 1)): 10 x 0.9, 30 x 1.0, 90 x 1.1; the ticks are 1 s.
    for gap, expected in zip(gaps, [9.0, 30.0, 99.0], strict=True):
        assert expected <= gap < expected + 1, (gaps, offsets)
    [row] = await deliveries()
    assert row["state"] == DeliveryState.delivered.value and row["attempts"] == 4


async def test_killed_between_send_and_mark_the_event_is_delivered_again_with_its_id() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await builders.room(ERIKA, message=None)
        doomed = DeliveryWorker(settings(), client, clock=clock)
        [claim] = await doomed.claim()
        outcome = await doomed.send(claim)
        assert outcome.delivered  # the receiver has it; the worker dies before marking
        del doomed

        successor = DeliveryWorker(settings(), client, clock=clock)
        clock.advance(59)
        assert await successor.step() == 0  # the lease still holds
        clock.advance(2)
        assert await successor.step() == 1
        assert await successor.step() == 0
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body  # the same payload
    [row] = await deliveries()
    assert row["state"] == DeliveryState.delivered.value and row["attempts"] == 2


async def test_a_stale_worker_cannot_undo_a_newer_attempt() -> None:
    """A worker whose lease ran out records its failure too late: the newer outcome stays."""
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await builders.room(ERIKA, message=None)
        slow = DeliveryWorker(settings(), client, clock=clock)
        [stale_claim] = await slow.claim()
        clock.advance(61)
        await DeliveryWorker(settings(), client, clock=clock).step()  # delivered
        from app.webhooks.worker import Outcome

        await slow.record(stale_claim, Outcome(None, "timeout"))
    [row] = await deliveries()
    assert row["state"] == DeliveryState.delivered.value


async def test_a_rooms_events_go_in_order_while_another_room_goes_ahead() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock, answers=[500])  # the first event of room A fails once
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        room_a = await builders.room(ERIKA, message=None)
        worker = DeliveryWorker(settings(), client, clock=clock, rand=lambda: 0.5)
        assert await worker.step() == 1  # A's room.created: 500
        await check_post_message(ERIKA, room_a.room.id, "zweite Nachricht")
        room_b = await builders.room(JONAS, message=None)
        assert await worker.step() == 1  # only B's room.created; A's message waits
        clock.advance(10)
        assert await worker.step() == 1  # A's room.created again
        assert await worker.step() == 1  # then A's message
    sent = [(r.payload["data"]["room_id"], r.payload["type"], r.status) for r in receiver.received]
    a, b = str(room_a.room.id), str(room_b.room.id)
    assert sent == [
        (a, "room.created", 500),
        (b, "room.created", 200),
        (a, "room.created", 200),
        (a, "timeline.item_added", 200),
    ]


async def test_after_the_last_retry_the_delivery_is_dead() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock, answers=[500] * 10)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await builders.room(ERIKA, message=None)
        worker = DeliveryWorker(settings(retry_delays=[5, 5]), client, clock=clock)
        for _ in range(10):
            await worker.step()
            clock.advance(6)
    assert len(receiver.received) == 3  # the first attempt and two retries
    [row] = await deliveries()
    assert row["state"] == DeliveryState.dead.value
    assert row["attempts"] == 3 and row["last_status"] == 500


async def test_an_unreachable_endpoint_counts_as_a_failed_attempt() -> None:
    clock = FakeClock()
    from tests.servers import free_port

    await subscribe(f"http://127.0.0.1:{free_port()}/nobody-listens")
    await builders.room(ERIKA, message=None)
    async with httpx.AsyncClient(timeout=5) as client:
        await DeliveryWorker(settings(), client, clock=clock, rand=lambda: 0.5).step()
    [row] = await deliveries()
    assert row["state"] == DeliveryState.pending.value
    assert row["attempts"] == 1 and row["last_status"] is None
    assert "ConnectError" in str(row["last_error"])
    due = row["next_attempt_at"]
    assert isinstance(due, type(clock.now)) and due - clock.now == timedelta(seconds=10)


async def test_a_redirect_is_not_followed_and_counts_as_a_failure() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock, answers=[307])
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url)
        await builders.room(ERIKA, message=None)
        await DeliveryWorker(settings(), client, clock=clock).step()
    [row] = await deliveries()
    assert row["state"] == DeliveryState.pending.value and row["last_status"] == 307


async def test_only_the_wanted_types_and_only_the_own_authority_are_delivered() -> None:
    clock = FakeClock()
    receiver = Receiver(clock=clock)
    async with receiving(receiver) as url, httpx.AsyncClient() as client:
        receiver.secret = await subscribe(url, "timeline.item_added")
        result = await builders.room(ERIKA, message=None)
        await builders.room(JONAS, authority_slug="demo-kreis")  # another authority
        await check_post_message(ERIKA, result.room.id, "Hallo")
        await DeliveryWorker(settings(), client, clock=clock).step()
    assert [r.payload["type"] for r in receiver.received] == ["timeline.item_added"]
    assert json.loads(receiver.received[0].body)["data"]["room_id"] == str(result.room.id)
    assert UUID(receiver.received[0].headers["webhook-id"])


@pytest.mark.parametrize(
    "host",
    ["xn--", "a" * 64 + ".example"],  # httpx / the resolver cannot even encode these names
)
async def test_an_endpoint_that_cannot_be_sent_to_fails_on_schedule_and_dies(host: str) -> None:
    """Not an exception that leaves the claim to expire and be taken again forever."""
    clock = FakeClock()
    authority = await find_authority(await builders.authority())
    assert authority is not None
    await WebhookSubscription(
        authority=authority, url=f"https://{host}/h", secret="whsec_AA=="
    ).save()
    await builders.room(ERIKA, message=None)
    async with httpx.AsyncClient() as client:
        worker = DeliveryWorker(
            settings(retry_delays=[5]), client, clock=clock, private_networks=[]
        )
        assert await worker.step() == 1
        [row] = await deliveries()
        assert row["state"] == DeliveryState.pending.value and row["attempts"] == 1
        assert row["claimed_until"] is None and row["last_error"]
        clock.advance(6)
        assert await worker.step() == 1
        assert await worker.step() == 0
    [row] = await deliveries()
    assert row["state"] == DeliveryState.dead.value and row["attempts"] == 2
