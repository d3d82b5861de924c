"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is required, not optional: when it is unreachable the tests fail.

Every run gets a database of its own on the server (``ANTRAGSRAUM_TEST_PG_SERVER``,
default 127.0.0.1:5432), created when the run starts and dropped when it ends, so that
runs never share a schema. ``ANTRAGSRAUM_TEST_PG_URL`` names an existing database to
use instead (it is reset, but not dropped).

Tests marked ``on_both_backends`` run on the memory backends and on Redis for sessions
and the live channel (``services``, see tests/backends.py).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from piccolo.engine import Engine

from app import db
from rooms.kernel.tables import TABLES
from tests import backends
from tests.servers import free_port, running

PG_SERVER = os.environ.get("ANTRAGSRAUM_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
RUN_DATABASE = f"antragsraum_test_{os.getpid()}"
"""This run's own database (when ANTRAGSRAUM_TEST_PG_URL names none)."""
OWN_DATABASE = "ANTRAGSRAUM_TEST_PG_URL" not in os.environ
PG_URL = os.environ.get("ANTRAGSRAUM_TEST_PG_URL", f"{PG_SERVER}/{RUN_DATABASE}")


async def _on_the_server(*statements: str) -> None:
    import asyncpg

    try:
        conn = await asyncpg.connect(f"{PG_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(
            f"PostgreSQL is required for the tests and unreachable at {PG_SERVER}: {exc}", 1
        )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


REDIS_URL = os.environ.get("ANTRAGSRAUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _require_redis() -> None:
    """Redis is required too (live channels and sessions of several instances): a run
    without it stops at once with this message, instead of failing late."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is required for the tests and unreachable at {REDIS_URL}: {exc}", 1)


def pytest_sessionstart(session: pytest.Session) -> None:
    _require_redis()
    if OWN_DATABASE and not hasattr(session.config, "workerinput"):
        asyncio.run(
            _on_the_server(
                f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)',
                f'CREATE DATABASE "{RUN_DATABASE}"',
            )
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    asyncio.run(backends.delete_run_keys())
    if OWN_DATABASE and not hasattr(session.config, "workerinput"):
        asyncio.run(_on_the_server(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)'))


async def _fresh_postgres() -> Engine:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is required for the tests and unreachable at {PG_URL}: {exc}")
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    return db.make_engine(PG_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.only_on("postgres")``: the test exists for that database only.

    Its run on the other database is not collected at all, rather than collected and
    skipped: a skip would read as a test that could not run.

    Likewise a database test runs on Redis with PostgreSQL only: several instances
    sharing Redis is the PostgreSQL deployment (SQLite is one embedded process), and
    the run on SQLite would only repeat the memory backends' run at twice the cost.
    """
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec else None
        on_redis = callspec is not None and callspec.params.get("services") == "redis"
        other_database = marker and engine is not None and engine not in marker.args
        if other_database or (on_redis and engine == "sqlite"):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@pytest.mark.on_both_backends``: run once on memory, once on the shared Redis."""
    if metafunc.definition.get_closest_marker("on_both_backends"):
        metafunc.parametrize("services", backends.BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def services(request: pytest.FixtureRequest) -> backends.Services:
    """Sessions and the live channel: memory, unless the test runs on both backends."""
    return backends.services_for(getattr(request, "param", "memory"))


@pytest.fixture(autouse=True)
def _services_of_this_test(services: backends.Services):  # type: ignore[no-untyped-def]
    """``make_settings`` (and so ``serving``) builds on this test's backends."""
    backends.current = services
    yield
    backends.current = backends.MEMORY


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        eng = db.make_engine(f"sqlite:///{path}")
    else:
        eng = await _fresh_postgres()
    await db.migrate(eng)
    await db.open_pool(eng, 1, 5)
    yield eng
    await db.close_pool(eng)


@pytest.fixture
async def database(engine: Engine) -> AsyncIterator[Engine]:
    """A bound, empty database for one test."""
    db.bind_engine(engine)
    yield engine
    db.bind_engine(engine)
    for table in reversed(TABLES):
        await table.delete(force=True)


BASE_URL = "http://127.0.0.1:8000"


def make_settings(tmp_path, base_url: str = BASE_URL, trusted_proxies=(), **sections):  # type: ignore[no-untyped-def]
    """Settings for an in-process app on a temporary data directory.

    Rate limits are off unless a test sets them (``rate_limits=...``): the tests of the
    limits themselves do, every other test acts faster than any person could.
    """
    from app.settings import (
        AppSettings,
        RateLimitSettings,
        Settings,
        StorageSettings,
    )

    sections.setdefault("sessions", backends.current.sessions)
    sections.setdefault("live", backends.current.live)
    sections.setdefault("rate_limits", RateLimitSettings(enabled=False))
    sections.setdefault("storage", StorageSettings(path=str(tmp_path / "files")))
    return Settings(
        app=AppSettings(
            data_dir=str(tmp_path / "var"),
            base_url=base_url,
            seed_demo=False,
            trusted_proxies=list(trusted_proxies),
        ),
        **sections,
    )


@pytest.fixture
async def app(database: Engine, tmp_path):  # type: ignore[no-untyped-def]
    """The whole application on the test database, its lifespan running."""
    from app import create_app

    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application):
        yield application


@pytest.fixture
async def http(app):  # type: ignore[no-untyped-def]
    """An HTTP client talking to the app in this process and event loop."""
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, follow_redirects=False
    ) as client:
        yield client


@asynccontextmanager
async def serving(engine: Engine, tmp_path, **sections):  # type: ignore[no-untyped-def]
    """The app served by uvicorn on a free loopback port, in this event loop."""
    import uvicorn

    from app import create_app
    from app.cli import proxy_options, uvicorn_limits

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path, base_url=base_url, **sections)
    application = create_app(settings, engine=engine)
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        log_level="warning",
        **proxy_options(settings),  # as `antragsraum serve` runs it
        **uvicorn_limits(settings),
    )
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve())
    for _ in range(500):
        if uv.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert uv.started, "uvicorn did not start"
    try:
        yield base_url
    finally:
        uv.should_exit = True
        done, _ = await asyncio.wait([task], timeout=10)
        if not done:
            uv.force_exit = True
            await task
            pytest.fail("the server did not shut down: a connection or handler hung")


@pytest.fixture
async def server(database: Engine, tmp_path):  # type: ignore[no-untyped-def]
    async with serving(database, tmp_path) as base_url:
        yield base_url
