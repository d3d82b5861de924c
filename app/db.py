"""Database engines: SQLite (embedded default, WAL) and PostgreSQL (pooled).

Piccolo binds tables to an engine; :func:`bind_engine` points every table of the
rooms app (and Piccolo's own migration table) at the engine built from settings.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.apps.migrations.tables import Migration
from piccolo.engine import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from rooms.kernel.tables import TABLES

# Piccolo's migration runner finds its engine through this module.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")


def make_engine(url: str) -> Engine[Any]:
    """Build an engine from ``sqlite:///path`` or ``postgresql://…``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _enable_wal(path)
        # One connection per query on SQLite; wait for the write lock instead of failing.
        return SQLiteEngine(path=path, timeout=30, factory=UnicodeLowerConnection)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r} (sqlite or postgresql)")


def _unicode_lower(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    return value.lower() if isinstance(value, str) else value


class UnicodeLowerConnection(sqlite3.Connection):
    """A SQLite connection whose ``lower()`` knows Unicode.

    SQLite's own ``lower()`` folds ASCII only, so a search for "übernahme" would miss
    "Übernahme" (PostgreSQL's is Unicode-aware). Piccolo opens its SQLite connections
    through ``sqlite3.connect(**connection_kwargs)``; the ``factory`` makes each of
    them register this one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.create_function("lower", 1, _unicode_lower, deterministic=True)


def _enable_wal(path: str) -> None:
    # WAL is a property of the database file; setting it once is enough.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def bind_engine(engine: Engine[Any]) -> None:
    tables: tuple[Any, ...] = (*TABLES, Migration)
    for table in tables:
        table._meta.db = engine


async def open_pool(engine: Engine[Any], minsize: int, maxsize: int) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=minsize, max_size=maxsize)


async def close_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def migrate(engine: Engine[Any]) -> None:
    """Apply every pending migration to ``engine``."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    bind_engine(engine)
    # Piccolo's runner prints progress; keep the output of our command quiet.
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


async def ping(engine: Engine[Any]) -> bool:
    try:
        await engine.run_ddl("SELECT 1")
    except (OSError, sqlite3.Error, Exception):
        return False
    return True
