"""The notification worker (lifespan task): plans reminders, sends due notices, retries.

Every ``notifications.poll_seconds`` it plans the reminders that are due, claims the
notices whose time has come (a lease: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the
write transaction on SQLite, so several instances may run it), renders and sends
each on its channel, and records the outcome: ``sent``; ``undeliverable`` for a
permanent refusal (never retried); otherwise due again after the next of
``retry_delays_seconds``, and ``failed`` after the last. Digests are notices too:
planned with their window's end as due time, composed when it has come.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from litestar import Litestar

from app.notify.channels import Channel, TemporaryFailure, Undeliverable
from app.notify.log import LogChannel
from app.notify.postbox import TIMEOUT_SECONDS as POSTBOX_TIMEOUT_SECONDS
from app.notify.postbox import PostboxChannel
from app.notify.render import render
from app.notify.smtp import SmtpChannel
from app.settings import NotificationSettings, Settings
from rooms.outbound.notify.planning import do_plan_reminders
from rooms.outbound.notify.policy import Policy, configure
from rooms.outbound.notify.queue import (
    LEASE,
    DueNotice,
    claim_due,
    do_mark_retry,
    do_mark_sent,
    do_mark_skipped,
    do_mark_undeliverable,
)

log = logging.getLogger("antragsraum.notify")

BERLIN = ZoneInfo("Europe/Berlin")
REMINDER_EVERY = timedelta(minutes=15)
MAX_BATCHES = 50  # per round: a backlog is worked off over several rounds


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_channels(settings: NotificationSettings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    if settings.channel == "smtp":
        channels["email"] = SmtpChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            from_address=settings.from_address,
            user=settings.smtp_user,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout_seconds,
        )
    else:
        channels["email"] = LogChannel()
    if settings.bundid_postbox_url:
        channels["bundid_postbox"] = PostboxChannel(
            "bundid_postbox", settings.bundid_postbox_url, settings.bundid_postbox_token
        )
    if settings.osi_postbox_url:
        channels["osi_postbox"] = PostboxChannel(
            "osi_postbox", settings.osi_postbox_url, settings.osi_postbox_token
        )
    return channels


def policy_of(settings: NotificationSettings) -> Policy:
    postboxes = [
        name for name in ("bundid_postbox", "osi_postbox") if getattr(settings, name + "_url")
    ]
    return Policy(postbox_channels=tuple(postboxes), digest_default=settings.digest_default)


class NotificationWorker:
    def __init__(
        self,
        settings: NotificationSettings,
        base_url: str,
        *,
        channels: dict[str, Channel] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.base_url = base_url
        self.channels = make_channels(settings) if channels is None else channels
        self.clock = clock
        self._reminders_at: datetime | None = None

    async def plan_reminders(self, now: datetime) -> None:
        if self._reminders_at is not None and now - self._reminders_at < REMINDER_EVERY:
            return
        self._reminders_at = now
        today = now.astimezone(BERLIN).date()
        await do_plan_reminders(today, self.settings.reminder_days, now)

    async def run_once(self) -> None:
        """One round: plan reminders, then send everything that is due now."""
        await self.plan_reminders(self.clock())
        for _ in range(MAX_BATCHES):
            # The clock is read per batch: a claim's lease runs from when it is taken,
            # not from the start of a long round (another instance would take it again).
            now = self.clock()
            claimed, batch = await claim_due(now)
            if not claimed:
                break
            # One send may take up to the channel's timeout: stop while the lease still
            # covers the next one. What is left goes back to whoever claims it when the
            # lease has run out (never to two senders at once).
            longest = max(self.settings.smtp_timeout_seconds, POSTBOX_TIMEOUT_SECONDS)
            last_start = now + LEASE - timedelta(seconds=longest)
            for due in batch:
                if self.clock() >= last_start:
                    break
                await self.deliver(due, now)

    async def deliver(self, due: DueNotice, now: datetime) -> None:
        channel = self.channels.get(due.channel)
        if channel is None:
            await do_mark_skipped(due.id, "channel_not_configured")
            return
        try:
            await channel.send(render(due, self.base_url))
        except Undeliverable as exc:
            log.warning("notification %s undeliverable on %s: %s", due.id, due.channel, exc)
            await do_mark_undeliverable(due.id, str(exc))
        except TemporaryFailure as exc:
            state = await do_mark_retry(due.id, now, str(exc), self.settings.retry_delays_seconds)
            log.warning("notification %s not sent (%s), now %s", due.id, exc, state)
        except Exception as exc:  # a bug in a template or an adapter must not stop the others
            log.exception("notification %s: channel %s failed", due.id, due.channel)
            await do_mark_retry(
                due.id, now, f"{type(exc).__name__}", self.settings.retry_delays_seconds
            )
        else:
            await do_mark_sent(due.id, now)


async def _run(
    worker: NotificationWorker, stop: asyncio.Event, poll: float, previous: Policy
) -> None:
    try:
        while not stop.is_set():
            try:
                await worker.run_once()
            except Exception:
                log.exception("notification round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
    finally:
        configure(previous)


def start(
    app: Litestar, stop: asyncio.Event, *, context: contextvars.Context | None = None
) -> asyncio.Task[None]:
    """Configure the planner for this deployment and start the worker (in the lifespan)."""
    settings: Settings = app.state.settings
    ns = settings.notifications
    if settings.production and ns.channel == "log":
        log.warning("notifications.channel is 'log': e-mails are written to the log, not sent")
    previous = configure(policy_of(ns))
    worker = NotificationWorker(ns, settings.app.base_url)
    app.state.notification_worker = worker
    return asyncio.create_task(_run(worker, stop, ns.poll_seconds, previous), context=context)
