"""Migrations: they build the schema from empty, and they cover every model change."""

from __future__ import annotations

import asyncpg
import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager

from app import db
from rooms.kernel.tables import TABLES, UNIQUE_INDEXES
from rooms.piccolo_app import APP_CONFIG
from tests.conftest import PG_URL, RUN_DATABASE

MIGRATION_DB = f"{RUN_DATABASE}_migrations"  # this run's own, as for every database


async def test_no_model_change_lacks_a_migration() -> None:
    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(APP_CONFIG)
    pending = [s for group in statements for s in group.statements]
    assert pending == [], "run: make migration (piccolo migrations new rooms --auto)"


def test_the_unique_indexes_of_the_models_are_the_ones_the_migration_creates() -> None:
    import importlib

    created: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name in (
        "rooms_2026_11_29t10_05_00_000000",
        "rooms_2026_11_29t12_34_00_000000",
        "rooms_2026_12_02t15_21_31_000000",
        "rooms_2026_12_02t16_30_01_000000",
    ):
        migration = importlib.import_module(f"rooms.piccolo_migrations.{name}")
        created |= migration.UNIQUE_INDEXES
        for dropped in getattr(migration, "DROPPED_INDEXES", {}):
            del created[dropped]
    assert created == UNIQUE_INDEXES


async def _table_names_sqlite(engine) -> set[str]:  # type: ignore[no-untyped-def]
    rows = await engine.run_ddl("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
    return {r["name"] for r in rows}


async def test_migrations_apply_from_empty_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    await db.migrate(engine)
    await db.migrate(engine)  # a second run is a no-op
    names = await _table_names_sqlite(engine)
    assert {t._meta.tablename for t in TABLES} <= names
    assert set(UNIQUE_INDEXES) <= names
    assert not {"contact_preference_realm_subject_key"} & names  # replaced by the issuer's
    journal = await engine.run_ddl("PRAGMA journal_mode")
    assert journal[0]["journal_mode"] == "wal"


async def test_migrations_apply_from_empty_on_postgresql() -> None:
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{MIGRATION_DB}"')
        await admin.execute(f'CREATE DATABASE "{MIGRATION_DB}"')
    finally:
        await admin.close()
    url = PG_URL.rsplit("/", 1)[0] + f"/{MIGRATION_DB}"
    engine = db.make_engine(url)
    try:
        await db.migrate(engine)
        await db.migrate(engine)
        conn = await asyncpg.connect(url)
        try:
            tables = {r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables")}
            indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
        finally:
            await conn.close()
        assert {t._meta.tablename for t in TABLES} <= tables
        assert set(UNIQUE_INDEXES) <= indexes
    finally:
        admin = await asyncpg.connect(PG_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{MIGRATION_DB}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.mark.usefixtures("database")
async def test_the_unique_index_keeps_sequence_numbers_unique() -> None:
    from rooms.kernel.tables import Message
    from tests import builders
    from tests.cast import ERIKA

    result = await builders.room(ERIKA)
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Message.insert(
            Message(room=result.room.id, seq=1, side="applicant", author_name="x", body="dup")
        )
