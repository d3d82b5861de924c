"""The rooms domain as a Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from rooms.kernel.tables import TABLES

MIGRATIONS = Path(__file__).resolve().parent / "piccolo_migrations"

APP_CONFIG = AppConfig(
    app_name="rooms",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
