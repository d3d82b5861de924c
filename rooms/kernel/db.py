"""Transactions for domain actions, on SQLite and PostgreSQL alike, with on-commit hooks."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import anyio
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from rooms.kernel.tables import Room

log = logging.getLogger("antragsraum.db")

_hooks: ContextVar[list[Callable[[], None]] | None] = ContextVar("on_commit_hooks", default=None)


def engine() -> Engine[Any]:
    return Room._meta.db


def bound_engine() -> Engine[Any] | None:
    """The engine the composition root bound to the tables, if any (never builds one)."""
    db: Engine[Any] | None = Room._meta._db
    return db


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that writes, shielded from cancellation; hooks run after its commit.

    A task cancelled inside Piccolo's transaction (a websocket whose client went
    away, say) can leave its connection "idle in transaction", holding locks. The
    shield lets the block commit or roll back first; the cancellation lands after.

    On SQLite it begins IMMEDIATE, taking the write lock up front: a deferred
    transaction that reads first and writes later can fail to upgrade its lock.

    What an action registers with :func:`on_commit` runs once the transaction has
    committed, in order, and never when it rolls back (the Zulip habit of
    ``send_event_on_commit``). A ``write_transaction`` inside another one joins it:
    its hooks wait for the outer commit.
    """
    if _hooks.get() is not None:
        yield  # joined: the outer transaction commits, and runs the hooks
        return
    db = engine()
    if isinstance(db, SQLiteEngine):
        transaction: Any = _closing_if_begin_fails(
            db.transaction(transaction_type=TransactionType.immediate)
        )
    else:
        transaction = db.transaction()
    hooks: list[Callable[[], None]] = []
    token = _hooks.set(hooks)
    try:
        with anyio.CancelScope(shield=True):
            async with transaction:
                yield
    finally:
        _hooks.reset(token)
    for hook in hooks:
        try:
            hook()
        except Exception:  # the change is committed: a failed side effect must not undo the answer
            log.exception("an on-commit hook failed")


def in_write_transaction() -> bool:
    return _hooks.get() is not None


@asynccontextmanager
async def _closing_if_begin_fails(transaction: Any) -> AsyncIterator[None]:
    """Piccolo's transaction, with its connection closed when ``BEGIN`` itself fails.

    Piccolo's SQLite transaction opens its connection, then sends ``BEGIN IMMEDIATE``;
    when that fails (the database stays locked past the busy timeout) it raises
    without closing the connection, and the connection's worker thread (aiosqlite,
    not a daemon) lives on: one leaked thread per refusal, and a process that cannot
    exit. Piccolo offers no hook for this, hence the wrapper.
    """
    try:
        await transaction.__aenter__()
    except BaseException:
        connection = getattr(transaction, "connection", None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        raise
    try:
        yield
    except BaseException as exc:
        if not await transaction.__aexit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        await transaction.__aexit__(None, None, None)


def on_commit(hook: Callable[[], None]) -> None:
    """Run ``hook`` after the current write transaction commits (never if it rolls back)."""
    hooks = _hooks.get()
    if hooks is None:
        raise RuntimeError("on_commit() outside write_transaction()")
    hooks.append(hook)
