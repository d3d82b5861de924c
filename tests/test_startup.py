"""Start-up has no side effects: engines are made by the composition root only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUILD_WITH_AN_ENGINE = """
from pathlib import Path
from piccolo.engine import engine_finder
from app import create_app, db
from app.settings import AppSettings, SessionSettings, Settings, StorageSettings

data = Path("elsewhere")
settings = Settings(
    app=AppSettings(data_dir=str(data / "var"), seed_demo=False),
    sessions=SessionSettings(backend="memory"),
    storage=StorageSettings(path=str(data / "files")),
)
engine = db.make_engine("sqlite:///" + str(Path("given.sqlite3").resolve()))
create_app(settings, engine=engine)
import app.piccolo_conf  # what Piccolo's migration runner reads
assert engine_finder() is engine, "Piccolo's tools must find the engine the app was given"
print("ok")
"""


def test_an_app_given_an_engine_creates_no_database_of_its_own(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BUILD_WITH_AN_ENGINE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert not (tmp_path / "var").exists(), "the default SQLite file was created"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3") == ["given.sqlite3"]
