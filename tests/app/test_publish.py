"""Who hears committed facts: the app's listener, per request, per socket, per worker task."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar

from app import create_app
from rooms.kernel.db import engine, on_commit, write_transaction
from tests.conftest import make_settings
from tests.servers import running

pytestmark = pytest.mark.usefixtures("database")


async def test_each_lifespan_worker_runs_in_a_context_of_its_own(
    database, tmp_path, monkeypatch
) -> None:
    """The scanner holding a transaction open must not put the other workers inside it.

    The open transaction (Piccolo's and the on-commit hooks') lives in context
    variables: workers sharing one context would write on each other's connection,
    join each other's transactions and roll back with them.
    """
    from app import scanner
    from app.notify import worker as notify_worker
    from app.webhooks import worker as webhook_worker
    from rooms.outbound.notify.policy import configure

    inside = asyncio.Event()
    seen: dict[str, tuple[str, str]] = {}
    both_looked = asyncio.Event()

    def look(name: str) -> None:
        try:
            on_commit(lambda: None)
        except RuntimeError:
            hooks = "no transaction"
        else:
            hooks = "inside another task's transaction"
        piccolo = "none" if engine().current_transaction.get() is None else "another task's"
        seen[name] = (hooks, piccolo)
        if len(seen) == 2:
            both_looked.set()

    async def scanner_holding_a_transaction(app: Litestar, stop: asyncio.Event) -> None:
        async with write_transaction():
            inside.set()
            await both_looked.wait()

    async def notifier(worker: Any, stop: asyncio.Event, poll: float, previous: Any) -> None:
        try:
            await inside.wait()
            look("notifier")
        finally:
            configure(previous)

    async def webhooks(app: Litestar, stop: asyncio.Event) -> None:
        await inside.wait()
        look("webhooks")

    monkeypatch.setattr(scanner, "run_scanner", scanner_holding_a_transaction)
    monkeypatch.setattr(notify_worker, "_run", notifier)
    monkeypatch.setattr(webhook_worker, "run_webhooks", webhooks)
    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application):
        async with asyncio.timeout(5):
            await both_looked.wait()
    assert seen == {
        "notifier": ("no transaction", "none"),
        "webhooks": ("no transaction", "none"),
    }
