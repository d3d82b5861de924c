"""Claiming due rows with a lease: the one mechanism of the outbound queues.

Webhook deliveries (:mod:`rooms.outbound.webhooks.deliveries`) and notifications
(:mod:`rooms.outbound.notify.queue`) are rows that workers (one per instance, any
number) take and send. A worker claims a batch of due rows by writing a lease on
them (the time until which nobody else may take them) and counting the attempt:

- a cheap look first: an idle worker takes no write lock (SQLite has only one);
- on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers get
  disjoint rows and never wait for each other; only the queue's own rows are locked
  (not the rows of tables the due condition joins); on SQLite the IMMEDIATE write
  transaction serialises the claims;
- a lease that ran out (a worker killed between sending and marking) makes the row
  due again: at least once.

What "due" means, the order, and which column holds the lease are the queue's own:
deliveries lease ``claimed_until`` and only the oldest pending delivery of each
(subscription, room) is due; notifications lease ``next_attempt_at``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from rooms.kernel.db import engine, write_transaction

K = TypeVar("K")


@asynccontextmanager
async def claim_with_lease(
    table: type[Table],
    *,
    due: Combinable,
    order_by: Column,
    limit: int,
    lease: dict[Any, Any],
    key: Callable[[Any], K],
) -> AsyncIterator[list[K]]:
    """Claim up to ``limit`` rows of ``table`` that are ``due``, in the order of ``order_by``.

    ``lease`` are the values written on the claimed rows, in the claim's transaction:
    the lease's end (so that they are no longer ``due``) and usually the attempt
    count. Yields the claimed primary keys (through ``key``), empty when nothing was
    due; the body runs inside the claim's write transaction (an error in it undoes
    the claim), except when nothing was due, when no transaction was begun::

        async with claim_with_lease(
            WebhookDelivery,
            due=...,
            order_by=WebhookDelivery.id,
            limit=20,
            lease={WebhookDelivery.claimed_until: until},
            key=int,
        ) as ids:
            ...  # read what to send, still in the claim's transaction
    """
    if not await table.exists().where(due):
        yield []  # the usual case: no write lock taken for nothing
        return
    primary_key = table._meta.primary_key
    async with write_transaction():
        query = table.select(primary_key).where(due).order_by(order_by).limit(limit)
        if isinstance(engine(), PostgresEngine):
            # Lock only the queue's rows (not the ones the due condition joins); skip
            # the ones another worker is claiming right now.
            query = query.lock_rows("UPDATE", skip_locked=True, of=(table,))
        rows: list[dict[str, Any]] = await query
        ids = [key(r[primary_key._meta.name]) for r in rows]
        if ids:
            await table.update(lease).where(primary_key.is_in(ids))
        yield ids
