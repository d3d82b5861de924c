"""A database outage answers 503 with Retry-After, and the app recovers when it is back.

On a PostgreSQL cluster of the test's own (``tests.pg_cluster``), stopped under the
running app: the API answers a problem document, pages a page in people's words;
nothing that was acknowledged is lost, and once the server is up again the pool
reconnects and requests succeed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx

from app import db
from rooms.kernel.tables import Message
from tests import builders
from tests.cast import ERIKA
from tests.conftest import BASE_URL, make_settings
from tests.login import login
from tests.pg_cluster import own_postgres
from tests.servers import in_process, running


async def test_a_stopped_database_is_503_with_retry_after_and_the_pool_recovers(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    with own_postgres() as cluster:
        engine = db.make_engine(cluster.url)
        await db.migrate(engine)
        await db.open_pool(engine, 1, 3)
        try:
            application = create_app(make_settings(tmp_path), engine=engine)
            async with running(application):
                room = (await builders.room(ERIKA)).room.id
                _, token = await builders.client("demo-stadt")
                headers = {"Authorization": f"Bearer {token}"}
                url = f"/api/v1/rooms/{room}/messages"
                transport = httpx.ASGITransport(app=application)
                async with (
                    httpx.AsyncClient(transport=transport, base_url=BASE_URL) as api,
                    in_process(application) as erika,
                ):
                    await login(erika, "erika")
                    acknowledged = 0
                    first = await api.post(url, json={"body": "vorher"}, headers=headers)
                    assert first.status_code == 201, first.text
                    acknowledged += 1

                    cluster.stop()
                    keyed = {**headers, "Idempotency-Key": "during-outage"}
                    for response in (
                        await api.post(url, json={"body": "während"}, headers=headers),
                        await api.post(url, json={"body": "während"}, headers=keyed),
                        await api.get(f"/api/v1/rooms/{room}", headers=headers),
                    ):
                        assert response.status_code == 503, response.text
                        assert response.headers["retry-after"] == "5"
                        assert response.headers["content-type"].startswith(
                            "application/problem+json"
                        )
                        assert response.json()["status"] == 503
                    page = await erika.get(f"/rooms/{room}")
                    assert page.status_code == 503
                    assert page.headers["retry-after"] == "5"
                    assert "Der Antragsraum ist gerade nicht erreichbar." in page.text

                    cluster.start()
                    deadline = time.monotonic() + 20
                    while True:  # the pool drops its broken connections and reconnects
                        again = await api.post(url, json={"body": "danach"}, headers=keyed)
                        assert again.status_code in (201, 503), again.text
                        if again.status_code == 201:
                            acknowledged += 1
                            break
                        assert time.monotonic() < deadline, "the pool did not recover"
                        await asyncio.sleep(0.05)
                    assert (await erika.get(f"/rooms/{room}")).status_code == 200
                # the intake's message, and every message that was answered 201
                assert await Message.count() == 1 + acknowledged
        finally:
            await db.close_pool(engine)


async def test_a_sqlite_database_locked_past_the_busy_timeout_is_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from piccolo.engine.sqlite import SQLiteEngine

    from app import create_app

    def sqlite_workers() -> int:
        return sum("_connection_worker_thread" in t.name for t in threading.enumerate())

    workers_before = sqlite_workers()
    path = tmp_path / "locked.sqlite3"
    db.make_engine(f"sqlite:///{path}")  # WAL, as the app's
    engine = SQLiteEngine(path=str(path), timeout=0.2, factory=db.UnicodeLowerConnection)
    await db.migrate(engine)
    application = create_app(make_settings(tmp_path), engine=engine)
    async with running(application):
        room = (await builders.room(ERIKA)).room.id
        _, token = await builders.client("demo-stadt")
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "locked"}
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as api:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another writer keeps the write lock
            try:
                url = f"/api/v1/rooms/{room}/messages"
                locked = await api.post(url, json={"body": "gesperrt"}, headers=headers)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            assert locked.status_code == 503, locked.text
            assert locked.headers["retry-after"] == "5"
            again = await api.post(url, json={"body": "gesperrt"}, headers=headers)
            assert again.status_code == 201, again.text
        assert await Message.count() == 2
    # The refused BEGIN left no connection open: its worker thread would keep the
    # process from ever exiting (aiosqlite's threads are no daemons).
    assert sqlite_workers() <= workers_before
