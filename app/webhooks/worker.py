"""The webhook delivery worker: claims due deliveries, sends them signed, records the outcome.

It runs in each app process's lifespan (``webhooks.enabled``); any number of
instances may run it, since claims are leased rows (see :mod:`rooms.outbound.webhooks`).
A delivery counts as delivered on any 2xx answer; anything else, a timeout or a
connection error is retried after ``webhooks.retry_delays`` (with jitter) and
dead-lettered after the last. Redirects are not followed: the endpoint is exactly
the one the authority configured, reached at the address that was checked
(:mod:`app.webhooks.destination`). The clock and the random source are injectable
so that tests can drive retries without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from app.settings import WebhookSettings
from app.webhooks.destination import Refused, targets
from app.webhooks.signing import webhook_headers
from rooms.outbound.webhooks.deliveries import (
    Claim,
    claim_due,
    do_mark_delivered,
    do_mark_failed,
    retry_delay,
)

log = logging.getLogger("antragsraum.webhooks")

USER_AGENT = "Antragsraum-Webhooks/1"


def utcnow() -> datetime:
    return datetime.now(UTC)


def payload(claim: Claim) -> bytes:
    """The body: the event's type, time and ids and facts; never bodies or personal data."""
    data: dict[str, Any] = {
        "event_id": str(claim.event_id),
        "room_id": str(claim.room_id) if claim.room_id else None,
        "cursor": claim.cursor,
        **claim.data,
    }
    return msgspec.json.encode(
        {"type": claim.type, "timestamp": claim.occurred_at.isoformat(), "data": data}
    )


class Outcome(msgspec.Struct, frozen=True):
    status: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def make_client(
    settings: WebhookSettings, *, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    """The worker's client; no idle connections kept (see :mod:`app.webhooks.destination`)."""
    return httpx.AsyncClient(
        timeout=settings.timeout_seconds,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
        limits=httpx.Limits(max_keepalive_connections=0),
        verify=verify,
    )


class DeliveryWorker:
    """One worker; :meth:`step` is one round (the tests call it directly)."""

    def __init__(
        self,
        settings: WebhookSettings,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
        private_networks: list[str] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock
        self.rand = rand
        self.private_networks = private_networks
        """Non-public networks endpoints may resolve into; ``None``: any."""

    async def claim(self) -> list[Claim]:
        return await claim_due(
            self.clock(), lease_seconds=self.settings.lease_seconds, limit=self.settings.batch_size
        )

    async def send(self, claim: Claim) -> Outcome:
        """Send to the checked addresses in turn (the next only if one cannot be reached)."""
        try:
            to = await targets(claim.url, self.private_networks)
        except Refused as refused:
            return Outcome(None, str(refused))
        body = payload(claim)
        timestamp = int(self.clock().timestamp())
        headers = webhook_headers(claim.secret, str(claim.event_id), timestamp, body)
        outcome = Outcome(None, "no address")
        for target in to:
            try:
                response = await self.client.post(
                    target.url,
                    content=body,
                    headers={**headers, **target.headers},
                    extensions=target.extensions,
                )
            except httpx.ConnectError as exc:
                outcome = Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
                continue  # nothing was sent: the next address of the name may answer
            except httpx.TimeoutException:
                return Outcome(None, "timeout")
            except httpx.HTTPError as exc:
                return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
            # Only the status is kept: a receiver's answer body is none of our business.
            return Outcome(response.status_code, "" if response.is_success else "not 2xx")
        return outcome

    async def record(self, claim: Claim, outcome: Outcome) -> None:
        now = self.clock()
        if outcome.delivered:
            await do_mark_delivered(claim, now, status=outcome.status or 200)
            return
        delay = retry_delay(
            claim.attempts, self.settings.retry_delays, jitter=self.settings.jitter, rand=self.rand
        )
        state = await do_mark_failed(
            claim, now, status=outcome.status, error=outcome.error, retry_in=delay
        )
        log.warning(
            "webhook delivery %s (event %s, attempt %s) failed: %s %s -> %s",
            claim.id,
            claim.event_id,
            claim.attempts,
            outcome.status,
            outcome.error,
            state.value,
        )

    async def deliver(self, claim: Claim) -> None:
        try:
            outcome = await self.send(claim)
        except Exception as exc:
            # Whatever went wrong (a host httpx cannot encode, say), it is this delivery's
            # failed attempt: retried on schedule and dead-lettered in the end, instead of
            # leaving the claim to expire and be taken again forever.
            log.exception("webhook delivery %s could not be sent", claim.id)
            outcome = Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
        await self.record(claim, outcome)

    async def step(self) -> int:
        """Claim what is due, send it (concurrently: one per room and endpoint), record."""
        claims = await self.claim()
        if claims:
            await asyncio.gather(*(self.deliver(c) for c in claims))
        return len(claims)


async def run_webhooks(app: Litestar, stop: asyncio.Event) -> None:
    settings: WebhookSettings = app.state.settings.webhooks
    private_networks = app.state.settings.webhook_private_networks
    async with make_client(settings) as client:
        worker = DeliveryWorker(settings, client, private_networks=private_networks)
        while not stop.is_set():
            busy = 0
            try:
                busy = await worker.step()
            except Exception:
                log.exception("webhook delivery round failed")
            if busy:
                continue  # more may be due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.poll_seconds)
