"""The portal under uvicorn in a process of its own, for measuring its memory.

``python -m tests.api.upload_server <directory> <port> <max_file_mb>``: migrates a
SQLite database in ``directory``, creates an authority, an API client and a room,
prints ``{"token": ..., "room_id": ...}`` as one line and serves until terminated.
clamd is pointed at a socket that does not exist: the scanner stays idle (the file
stays quarantined) instead of scanning hundreds of megabytes on the same cores.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import uvicorn

from app import create_app, db
from app.settings import (
    AppSettings,
    DatabaseSettings,
    ScanningSettings,
    SessionSettings,
    Settings,
    StorageSettings,
    UploadSettings,
    WebhookSettings,
)
from tests import builders
from tests.cast import ERIKA


def settings_for(directory: Path, port: int, max_file_mb: int) -> Settings:
    return Settings(
        app=AppSettings(
            data_dir=str(directory / "var"), base_url=f"http://127.0.0.1:{port}", seed_demo=False
        ),
        database=DatabaseSettings(url=f"sqlite:///{directory / 'portal.sqlite3'}"),
        sessions=SessionSettings(backend="memory"),
        storage=StorageSettings(path=str(directory / "files")),
        uploads=UploadSettings(max_file_mb=max_file_mb, max_room_mb=4 * max_file_mb),
        scanning=ScanningSettings(clamd_address=f"unix:{directory / 'no-clamd.sock'}"),
        webhooks=WebhookSettings(enabled=False),
    )


async def prepare(settings: Settings) -> dict[str, str]:
    engine = db.make_engine(settings.database.url)
    await db.migrate(engine)
    db.bind_engine(engine)
    _, token = await builders.client()
    result = await builders.room(ERIKA)
    return {"token": token, "room_id": str(result.room.id)}


def main() -> None:
    directory, port, max_file_mb = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    settings = settings_for(directory, port, max_file_mb)
    print(json.dumps(asyncio.run(prepare(settings))), flush=True)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
