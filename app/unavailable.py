"""A database that cannot be reached is "try again shortly" (503), not our error (500).

What counts: asyncpg's connection errors (refused, reset, the server shutting down or
starting up, too many connections), a socket error raised inside asyncpg, and
SQLite's ``database is locked`` (the busy timeout ran out) or a file it cannot open.
The exception or any cause in its chain decides. Anything else stays a 500.

Nothing is lost by the answer: every write is one transaction that either committed
before the answer or is rolled back, and a 503 acknowledges nothing; the client sends
again after ``Retry-After``. A PostgreSQL pool recovers by itself: asyncpg drops a
broken connection and opens a new one on the next acquire.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

import asyncpg

RETRY_AFTER_SECONDS = 5

_POSTGRES_OUTAGES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # connection does not exist, connection failure
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
    asyncpg.exceptions.TooManyConnectionsError,
)
_SQLITE_OUTAGES = ("database is locked", "unable to open database file", "disk i/o error")


def _raised_in_asyncpg(tb: TracebackType | None) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("asyncpg"):
            return True
        tb = tb.tb_next
    return False


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, _POSTGRES_OUTAGES):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return "connection is closed" in str(exc) or "connection was closed" in str(exc)
    if isinstance(exc, OSError | TimeoutError):
        return _raised_in_asyncpg(exc.__traceback__)
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_OUTAGES)
    return False


def database_unavailable(exc: BaseException) -> bool:
    """The database could not be reached (or stayed locked): ``exc`` or a cause of it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if _is_outage(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
