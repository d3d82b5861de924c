"""Preferences and account addresses unique per (realm, issuer, subject).

The new unique indexes replace the (realm, subject) ones (an index of their own
migration: raw steps run before a migration adds its columns). ``DROPPED_INDEXES``
names the replaced ones, so that the union of the migrations' lists, less these,
is ``rooms.kernel.tables.UNIQUE_INDEXES`` (a test checks).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "contact_preference, account_address: unique per realm, issuer and subject"

UNIQUE_INDEXES = {
    "contact_preference_realm_issuer_subject_key": (
        "contact_preference",
        ("realm", "issuer", "subject"),
    ),
    "account_address_realm_issuer_subject_key": (
        "account_address",
        ("realm", "issuer", "subject"),
    ),
}
DROPPED_INDEXES = {
    "contact_preference_realm_subject_key": ("contact_preference", ("realm", "subject")),
    "account_address_realm_subject_key": ("account_address", ("realm", "subject")),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rooms", description=DESCRIPTION)

    async def replace(new, old):
        from rooms.kernel.db import engine

        DB = engine()
        for name, (table, columns) in new.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            await DB.run_ddl(f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
        for name in old:
            await DB.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    async def create_indexes():
        await replace(UNIQUE_INDEXES, DROPPED_INDEXES)

    async def restore_indexes():
        # Back to (realm, subject): fails if two issuers' rows now share a subject.
        await replace(DROPPED_INDEXES, UNIQUE_INDEXES)

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(restore_indexes)
    return manager
