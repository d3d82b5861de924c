"""The worker's rounds: leases that hold for slow channels; a notice that will not render."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.notify import worker as worker_module
from app.notify.channels import Notice
from app.notify.worker import NotificationWorker
from app.settings import NotificationSettings
from rooms.casework.posting import check_post_message
from rooms.outbound.notify.queue import LEASE, DueNotice
from tests.cast import ERIKA, SABINE
from tests.notify.conftest import PORTAL, Clock, notifications, room_for

pytestmark = pytest.mark.usefixtures("database")


class SlowChannel:
    """Records what it sends; every send takes ``seconds`` on the injected clock."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.sent: list[Notice] = []
        self.taken_again: list[int] = []

    async def send(self, notice: Notice) -> None:
        self.clock.advance(seconds=self.seconds)
        self.sent.append(notice)


async def test_no_notice_is_sent_after_its_lease_ran_out(clock: Clock) -> None:
    """A slow channel and a second instance: the round stops while the lease still
    covers the next send, so the two never send the same notice."""
    room_id = await room_for(ERIKA, "erika@example.org")
    for n in range(21):  # one more than a batch
        await check_post_message(SABINE, room_id, f"Nachricht {n}")
    slow = SlowChannel(clock, seconds=20)  # 20 sends of 20 s: longer than the lease
    quick = SlowChannel(clock, seconds=0)
    settings = NotificationSettings(smtp_timeout_seconds=30)
    other = NotificationWorker(settings, PORTAL, channels={"email": quick}, clock=clock)
    original = slow.send

    async def send(notice: Notice) -> None:
        await original(notice)
        await other.run_once()  # another instance's round, at this very moment

    slow.send = send  # type: ignore[method-assign]
    worker = NotificationWorker(settings, PORTAL, channels={"email": slow}, clock=clock)
    await worker.run_once()
    for _ in range(3):
        clock.advance(seconds=LEASE.total_seconds())
        await worker.run_once()
    assert len(slow.sent) + len(quick.sent) == 21  # each notice once, between them
    assert len(quick.sent) >= 1  # the other instance did take its share
    assert {r["state"] for r in await notifications(room=room_id)} == {"sent"}


async def test_a_notice_that_cannot_be_rendered_is_retried_and_the_others_are_sent(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, broken, "Zuerst")
    fine = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, fine, "Danach")
    real_render = worker_module.render

    def render(due: DueNotice, base_url: str) -> Notice:
        if due.room_id == broken:
            raise RuntimeError("a template that does not render")
        return real_render(due, base_url)

    monkeypatch.setattr(worker_module, "render", render)
    channel = SlowChannel(clock, seconds=0)
    settings = NotificationSettings(retry_delays_seconds=[60])
    worker = NotificationWorker(settings, PORTAL, channels={"email": channel}, clock=clock)

    await worker.run_once()
    assert [n.link for n in channel.sent] == [f"{PORTAL}/rooms/{fine}"]
    [row] = await notifications(room=broken)
    assert (row["state"], row["last_error"]) == ("pending", "RuntimeError")
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=60)

    clock.advance(seconds=61)
    await worker.run_once()
    [row] = await notifications(room=broken)
    assert row["state"] == "failed" and row["attempts"] == 2
    assert len(channel.sent) == 1
