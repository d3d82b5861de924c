"""Refused requests in floods, audited as counts: one row per action, address and minute.

Failed API tokens and refused CSRF checks come in floods (a script trying tokens, a
page left open while its session ended). One audit row per request would let any
flood fill the audit trail and slow every request with a write, so they are counted
here in memory per (action, source address) and fixed window, and a lifespan task
writes one row per key and window once the window has closed (action, source, count,
first and last seen) and, on shutdown, the windows still open. Counting is a plain
dict update (no await): it cannot fail a request. Per process: with several workers,
each writes its own rows for the same window; summed they give the total.

Bounded: past ``MAX_KEYS`` keys in a window, new addresses are counted under
``OTHERS`` rather than each getting an entry.

No library counts events into windows and flushes them to our table; the rate
limiter (``limits``) counts only to refuse, and keeps neither first/last seen nor
an enumerable set of keys.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import Litestar
from litestar.types import Scope

from app.audit_source import client_address
from rooms.kernel import audit

log = logging.getLogger(__name__)

STATE_KEY = "refusal_counts"
WINDOW_SECONDS = 60
MAX_KEYS = 10_000
OTHERS = "others"

BEARER_REFUSED = "api_token_refused"
BEARER_RATE_LIMITED = "api_token_rate_limited"
CSRF_REFUSED = "csrf_refused"


@dataclass
class Tally:
    count: int
    first_seen: float
    last_seen: float


Key = tuple[int, str, str]  # window start, action, source


class RefusalCounts:
    """Counts per (window, action, source); ``clock`` is injectable for the tests."""

    def __init__(
        self, window_seconds: int = WINDOW_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.window_seconds = window_seconds
        self.clock = clock
        self._tallies: dict[Key, Tally] = {}
        self.due = asyncio.Event()  # a window has closed: the writer wakes

    def _window(self, now: float) -> int:
        return int(now // self.window_seconds) * self.window_seconds

    def count(self, action: str, source: str) -> None:
        now = self.clock()
        window = self._window(now)
        key = (window, action, source)
        tally = self._tallies.get(key)
        if tally is None:
            if len(self._tallies) >= MAX_KEYS:
                key = (window, action, OTHERS)
                tally = self._tallies.get(key)
            if tally is None:
                tally = self._tallies[key] = Tally(0, now, now)
        tally.count += 1
        tally.last_seen = now
        if next(iter(self._tallies))[0] < window:  # the oldest (first inserted) has closed
            self.due.set()

    def take(self, *, everything: bool = False) -> list[tuple[Key, Tally]]:
        """The tallies of closed windows (all of them with ``everything``), removed."""
        current = self._window(self.clock())
        taken = [(k, t) for k, t in self._tallies.items() if everything or k[0] < current]
        for key, _ in taken:
            del self._tallies[key]
        self.due.clear()
        return taken


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


async def write(counts: RefusalCounts, taken: list[tuple[Key, Tally]]) -> None:
    for (window, action, source), tally in taken:
        with audit.from_source(source):
            await audit.record(
                action,
                actor=None,
                outcome="refused",
                detail={
                    "count": tally.count,
                    "first_seen": _iso(tally.first_seen),
                    "last_seen": _iso(tally.last_seen),
                    "window_start": _iso(window),
                    "window_seconds": counts.window_seconds,
                },
            )


def count_refusal(scope: Scope, action: str) -> None:
    """Count one refused request of ``scope`` (its client address, as the audit's source)."""
    counts: RefusalCounts | None = scope["litestar_app"].state.get(STATE_KEY)
    if counts is not None:
        counts.count(action, client_address(scope))


async def run_refusal_audit(app: Litestar, stop: asyncio.Event) -> None:
    """Lifespan task: write closed windows as they close (or each window), all on shutdown."""
    counts: RefusalCounts = app.state[STATE_KEY]
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            due = asyncio.ensure_future(counts.due.wait())
            await asyncio.wait(
                [stopping, due], timeout=counts.window_seconds, return_when="FIRST_COMPLETED"
            )
            due.cancel()
            if not stop.is_set():
                await _write_logged(counts, counts.take())
    finally:
        stopping.cancel()
        await _write_logged(counts, counts.take(everything=True))


async def _write_logged(counts: RefusalCounts, taken: list[tuple[Key, Tally]]) -> None:
    try:
        await write(counts, taken)
    except Exception:  # the database away: say so, and keep the task alive
        log.exception("could not write %d refusal counts to the audit trail", len(taken))
