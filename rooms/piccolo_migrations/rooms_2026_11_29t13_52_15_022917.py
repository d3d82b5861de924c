from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-29T13:52:15:022917"
VERSION = "1.38.0"
DESCRIPTION = "decision.attachment: an index"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rooms", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Decision",
        tablename="decision",
        column_name="attachment",
        db_column_name="attachment",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
