"""The session store and the live channel a test runs on: memory or the shared Redis.

Like ``engine`` (every database test on SQLite and PostgreSQL), the ``services``
fixture runs the tests marked ``on_both_backends`` once on the memory backends and
once on Redis; every other test stays on memory. The tests build their settings
through ``make_settings``/``serving``, which take this test's backends as their
defaults (:data:`current`), so a marked test needs no change of its own.

A run uses the shared Redis under a namespace of its own (session keys and live
channel names both start with it), so parallel runs never see each other's keys,
and the run deletes its keys when it ends. Fault tests that stop Redis start their
own (``tests.redis_server``) instead.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

import msgspec

from app.settings import LiveSettings, SessionSettings

REDIS_URL = os.environ.get("ANTRAGSRAUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NAMESPACE = f"antragsraum_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
"""This run's own prefix on the shared Redis."""
BACKENDS = ("memory", "redis")


@dataclass(frozen=True)
class Services:
    """The backends of sessions and the live channel for one test."""

    name: str
    sessions: SessionSettings = field(default_factory=lambda: SessionSettings(backend="memory"))
    live: LiveSettings = field(default_factory=LiveSettings)

    def session_settings(self, **overrides: object) -> SessionSettings:
        """This backend's session settings with other timeouts, cookies …"""
        return msgspec.structs.replace(self.sessions, **overrides)

    @property
    def sections(self) -> dict[str, object]:
        return {"sessions": self.sessions, "live": self.live}


MEMORY = Services("memory")


def on_redis(namespace: str = NAMESPACE) -> Services:
    return Services(
        "redis",
        sessions=SessionSettings(
            backend="redis", redis_url=REDIS_URL, redis_namespace=f"{namespace}_sessions"
        ),
        live=LiveSettings(backend="redis", redis_url=REDIS_URL, redis_prefix=f"{namespace}:"),
    )


def services_for(name: str) -> Services:
    return on_redis() if name == "redis" else MEMORY


current: Services = MEMORY
"""The backends of the test running now: the defaults of ``make_settings``."""


async def delete_run_keys(namespace: str = NAMESPACE) -> int:
    """Delete every key this run left in the shared Redis; how many there were."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}*", count=500)]
        if keys:
            await redis.delete(*keys)
        return len(keys)
    finally:
        await redis.aclose()
