"""Several workers: on PostgreSQL concurrent claims get disjoint rows (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio

import pytest

from rooms.kernel.authorities import find_authority
from rooms.kernel.tables import WebhookDelivery
from rooms.outbound.webhooks.deliveries import claim_due
from rooms.outbound.webhooks.subscriptions import do_create_subscription
from tests import builders
from tests.cast import ERIKA
from tests.webhooks.receiver import FakeClock

# SKIP LOCKED is PostgreSQL's; SQLite serialises write transactions.
pytestmark = pytest.mark.only_on("postgres")


async def test_concurrent_workers_claim_disjoint_deliveries(database) -> None:
    authority = await find_authority(await builders.authority())
    assert authority is not None
    await do_create_subscription(authority, "https://case-store.example/hooks", require_https=True)
    for _ in range(12):
        await builders.room(ERIKA, message=None)  # 12 rooms: 12 deliveries, all eligible
    now = FakeClock().now
    claims = await asyncio.gather(*(claim_due(now, lease_seconds=60, limit=5) for _ in range(4)))
    ids = [c.id for batch in claims for c in batch]
    assert len(ids) == len(set(ids)), f"a delivery was claimed twice: {ids}"
    assert len(ids) == 12
    assert sum(1 for batch in claims if batch) >= 2  # the claims really ran side by side
    # Claimed rows are leased: nothing is left for a fifth worker.
    assert await claim_due(now, lease_seconds=60, limit=20) == []
    assert await WebhookDelivery.count().where(WebhookDelivery.attempts == 1) == 12


async def test_a_claim_skips_rows_another_worker_holds_without_waiting(database) -> None:
    from rooms.kernel.db import write_transaction

    authority = await find_authority(await builders.authority())
    assert authority is not None
    await do_create_subscription(authority, "https://case-store.example/hooks", require_https=True)
    for _ in range(3):
        await builders.room(ERIKA, message=None)
    [first, *_] = await WebhookDelivery.select(WebhookDelivery.id).order_by(WebhookDelivery.id)
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold_the_first_row() -> None:
        async with write_transaction():
            await (
                WebhookDelivery.select(WebhookDelivery.id)
                .where(WebhookDelivery.id == first["id"])
                .lock_rows("UPDATE")
            )
            locked.set()
            await release.wait()

    holder = asyncio.create_task(hold_the_first_row())
    await locked.wait()
    try:
        claims = await asyncio.wait_for(
            claim_due(FakeClock().now, lease_seconds=60, limit=10), timeout=10
        )
    finally:
        release.set()
        await holder
    assert first["id"] not in {c.id for c in claims}
    assert len(claims) == 2
