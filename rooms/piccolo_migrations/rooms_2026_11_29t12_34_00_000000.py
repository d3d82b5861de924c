"""Composite uniqueness for the tables of the integration and workspace features.

Unique indexes on both databases, as in the first index migration; the list is frozen
here and rooms.kernel.tables.UNIQUE_INDEXES is the union of all such lists (a test checks).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T12:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes 2"

UNIQUE_INDEXES = {
    "text_template_authority_name_key": ("text_template", ("authority", "name")),
    "idempotency_record_client_key_key": ("idempotency_record", ("client", "key")),
    "webhook_delivery_event_subscription_key": ("webhook_delivery", ("event", "subscription")),
    "contact_preference_realm_subject_key": ("contact_preference", ("realm", "subject")),
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
