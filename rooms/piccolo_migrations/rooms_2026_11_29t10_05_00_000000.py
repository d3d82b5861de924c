"""Composite uniqueness as unique indexes.

SQLite cannot ALTER TABLE ADD CONSTRAINT, so these are unique indexes on both
databases. The list is frozen here; rooms.kernel.tables.UNIQUE_INDEXES mirrors it and a
test checks that both agree.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T10:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes"

UNIQUE_INDEXES = {
    "room_authority_case_ref_key": ("room", ("authority", "case_ref")),
    "participant_room_role_subject_key": ("participant", ("room", "role", "subject")),
    "message_room_seq_key": ("message", ("room", "seq")),
    "receipt_message_participant_key": ("receipt", ("message", "participant")),
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
