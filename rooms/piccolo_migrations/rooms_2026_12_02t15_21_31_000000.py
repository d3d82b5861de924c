"""Composite uniqueness for the account addresses kept at login.

A unique index on both databases, as in the earlier index migrations (a separate
migration: raw steps run before a migration's new tables are created).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T15:21:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "account_address: unique per realm and subject"

UNIQUE_INDEXES = {
    "account_address_realm_subject_key": ("account_address", ("realm", "subject")),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rooms", description=DESCRIPTION)

    async def create_indexes():
        from rooms.kernel.db import engine

        DB = engine()

        for name, (table, columns) in UNIQUE_INDEXES.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            await DB.run_ddl(f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')

    async def drop_indexes():
        from rooms.kernel.db import engine

        DB = engine()

        for name in UNIQUE_INDEXES:
            await DB.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
