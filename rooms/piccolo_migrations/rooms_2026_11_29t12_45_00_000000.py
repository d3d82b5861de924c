"""An index for the events feed: one authority's outbox rows in cursor order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_event (authority, id) index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rooms", description=DESCRIPTION)

    async def add_index():
        from rooms.kernel.db import engine

        DB = engine()

        await DB.run_ddl(
            "CREATE INDEX IF NOT EXISTS outbox_event_authority_id_idx ON outbox_event (authority, id)"
        )

    async def drop_index():
        from rooms.kernel.db import engine

        DB = engine()

        await DB.run_ddl("DROP INDEX IF EXISTS outbox_event_authority_id_idx")

    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
