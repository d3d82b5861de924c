"""Transactions for domain actions, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from rooms.kernel.tables import Room


def engine() -> Engine[Any]:
    return Room._meta.db


def bound_engine() -> Engine[Any] | None:
    """The engine the composition root bound to the tables, if any (never builds one)."""
    db: Engine[Any] | None = Room._meta._db
    return db


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that writes, shielded from cancellation.

    A task cancelled inside Piccolo's transaction (a websocket whose client went
    away, say) can leave its connection "idle in transaction", holding locks. The
    shield lets the block commit or roll back first; the cancellation lands after.

    On SQLite it begins IMMEDIATE, taking the write lock up front: a deferred
    transaction that reads first and writes later can fail to upgrade its lock.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        transaction = db.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = db.transaction()
    with anyio.CancelScope(shield=True):
        async with transaction:
            yield
