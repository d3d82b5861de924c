"""The rate-limit policy: which requests are counted, by what key, and the refusal.

Counting is the maintained ``limits`` library's (moving windows, exact to the request;
memory storage for the embedded default, Redis when several instances share the
counts); this module only decides what is counted. Each rule is a key of
``[rate_limits]`` named ``<what>_per_<key>`` (the key is the caller's address, the
person's account, the room or the API client) and holds a ``limits`` string such as
``"20/minute;300/hour"`` (several windows, all must allow); an empty string turns the
rule off.

- Pages name their rules in a route guard: ``guards=[rate_limited("messages_per_person",
  "messages_per_room")]``. A guard runs before the handler reads a byte of the body.
- The machine API counts in its router middleware (``app.api.rate_limit``), calling
  :func:`hit` and :func:`check` directly.

A refused request raises :class:`RateLimited` (429 with ``Retry-After``); the exception
handlers answer a page in people's words or an RFC 9457 problem for the API.

When the Redis storage fails, requests are let through (and the failure logged):
a limit is a protection against floods, and losing it for a while is better than
refusing everyone while Redis is away.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.errors import StorageError
from limits.storage import storage_from_string
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from app.settings import RateLimitSettings, Settings

log = logging.getLogger("antragsraum.rate_limits")

STATE_KEY = "rate_limits"
STRATEGIES: dict[str, type[RateLimiter]] = {
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}
RULES = tuple(
    name
    for name in RateLimitSettings.__struct_fields__
    if "_per_" in name and isinstance(getattr(RateLimitSettings(), name), str)
)


class RateLimited(TooManyRequestsException):
    """Too many requests of one caller: 429, ``Retry-After`` in whole seconds."""

    def __init__(self, rule: str, retry_after: int) -> None:
        super().__init__(
            detail="Too many requests. Please retry later.",
            headers={"Retry-After": str(retry_after)},
        )
        self.rule = rule
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    limiter: RateLimiter | None
    """``None``: rate limiting is switched off."""
    rules: dict[str, list[RateLimitItem]]

    async def _over(self, rule: str, key: str, consume: bool) -> int | None:
        """Seconds to wait when ``key`` is over ``rule`` (after counting this request)."""
        items = self.rules.get(rule, [])
        if self.limiter is None or not items:
            return None
        limiter = self.limiter
        try:
            refused = [
                item
                for item in items
                if not await (limiter.hit if consume else limiter.test)(item, rule, key)
            ]
            if not refused:
                return None
            resets = [(await limiter.get_window_stats(i, rule, key)).reset_time for i in refused]
        except StorageError:
            log.warning("rate limit storage unavailable; %s not enforced", rule, exc_info=True)
            return None
        return max(1, math.ceil(max(resets) - time.time()))

    async def hit(self, rule: str, key: str) -> None:
        """Count one request of ``key`` under ``rule``; :class:`RateLimited` when over."""
        if (wait := await self._over(rule, key, consume=True)) is not None:
            raise RateLimited(rule, wait)

    async def check(self, rule: str, key: str) -> None:
        """Refuse if ``key`` is already over ``rule``, without counting this request."""
        if (wait := await self._over(rule, key, consume=False)) is not None:
            raise RateLimited(rule, wait)


def _storage(config: RateLimitSettings, settings: Settings) -> Storage:
    if config.storage == "memory":
        return MemoryStorage()
    url = config.redis_url or settings.live.redis_url
    storage = storage_from_string(
        "async+" + url,
        implementation="redispy",
        key_prefix=config.key_prefix,
        wrap_exceptions=True,
    )
    assert isinstance(storage, Storage)
    return storage


def make_policy(settings: Settings) -> Policy:
    """The policy of one application (its own counters unless they are in Redis)."""
    config = settings.rate_limits
    rules = {name: parse_many(spec) for name in RULES if (spec := getattr(config, name))}
    if not config.enabled:
        return Policy(None, rules)
    limiter = STRATEGIES[config.strategy](_storage(config, settings))
    return Policy(limiter, rules)


def policy_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Policy:
    policy: Policy = connection.app.state[STATE_KEY]
    return policy


def address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The caller's address (behind a proxy: as uvicorn took it from X-Forwarded-For)."""
    client = connection.client
    return client.host if client else "unknown"


async def _key(connection: ASGIConnection[Any, Any, Any, Any], rule: str) -> str:
    kind = rule.rpartition("_per_")[2]
    if kind == "room":
        return str(connection.path_params.get("room_id", ""))
    if kind in ("person", "account"):
        # Imported here: app.identity's routes use this module's guards.
        from app.identity.actor import current_actor

        actor = await current_actor(connection)
        if actor is not None:
            return f"{actor.issuer} {actor.subject}"
        # An anonymous caller is sent to log in by the handler; count it by address.
    return f"address {address(connection)}"


async def hit(connection: ASGIConnection[Any, Any, Any, Any], rule: str, key: str) -> None:
    """Count a request of ``key`` under ``rule`` (429 when over)."""
    await policy_of(connection).hit(rule, key)


async def check(connection: ASGIConnection[Any, Any, Any, Any], rule: str, key: str) -> None:
    """Refuse when ``key`` is already over ``rule``, without counting."""
    await policy_of(connection).check(rule, key)


def rate_limited(*rules: str) -> Guard:
    """A route guard counting each request under ``rules``, each by its own key."""
    unknown = set(rules) - set(RULES)
    assert not unknown, f"unknown rate limit rules: {unknown}"

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        for rule in rules:
            await hit(connection, rule, await _key(connection, rule))

    limit: Callable[..., Awaitable[None]] = guard
    return limit
