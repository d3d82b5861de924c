"""The environment for running the real ``antragsraum`` command in a test, on its own files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

COMMAND = Path(sys.executable).with_name("antragsraum")


def command_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """SQLite, files and sessions of its own, no config file, no webhooks; plus ``settings``
    (``ANTRAGSRAUM_<SECTION>__<KEY>`` names)."""
    return {
        **os.environ,
        "ANTRAGSRAUM_CONFIG": str(tmp_path / "none.toml"),
        "ANTRAGSRAUM_DATABASE__URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "ANTRAGSRAUM_APP__DATA_DIR": str(tmp_path / "var"),
        "ANTRAGSRAUM_APP__PORT": str(port),
        "ANTRAGSRAUM_STORAGE__PATH": str(tmp_path / "files"),
        "ANTRAGSRAUM_SESSIONS__BACKEND": "memory",
        "ANTRAGSRAUM_WEBHOOKS__ENABLED": "false",
        **settings,
    }
