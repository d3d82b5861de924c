"""The antragsraum command, run as a newcomer or an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANTRAGSRAUM_DATABASE__URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "ANTRAGSRAUM_APP__DATA_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_migrate_authority_client_and_seed(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    created = run(
        tmp_path,
        "authority",
        "create",
        "bezirk-mitte",
        "Bezirksamt Mitte",
        "--network",
        "10.1.0.0/16",
    )
    assert created.returncode == 0, created.stderr
    networks = run(tmp_path, "authority", "networks", "bezirk-mitte", "192.0.2.0/24", "::1")
    assert networks.returncode == 0, networks.stderr
    assert "192.0.2.0/24, ::1/128" in networks.stdout
    bad = run(tmp_path, "authority", "networks", "bezirk-mitte", "not-a-network")
    assert bad.returncode != 0 and "not-a-network" in bad.stderr
    again = run(tmp_path, "authority", "create", "bezirk-mitte", "Bezirksamt Mitte")
    assert again.returncode != 0
    assert "slug" in again.stderr
    client = run(tmp_path, "client", "create", "bezirk-mitte")
    assert client.returncode == 0, client.stderr
    token = client.stdout.strip().splitlines()[-1]
    assert token.startswith("ar_") and len(token) > 40
    listed = run(tmp_path, "client", "list", "--authority", "bezirk-mitte")
    assert listed.returncode == 0 and "active" in listed.stdout, listed.stderr
    assert token not in listed.stdout  # never the token
    client_id = listed.stdout.split()[0]
    revoked = run(tmp_path, "client", "revoke", client_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in run(tmp_path, "client", "list").stdout
    assert run(tmp_path, "client", "revoke", "kein-client").returncode != 0
    unknown = run(tmp_path, "client", "create", "no-such-authority")
    assert unknown.returncode != 0 and "no-such-authority" in unknown.stderr
    for _ in range(2):  # seeding twice changes nothing
        seeded = run(tmp_path, "seed")
        assert seeded.returncode == 0, seeded.stderr
        assert "log in" in seeded.stdout


def test_seeded_rooms_are_not_duplicated(tmp_path: Path) -> None:
    import sqlite3

    run(tmp_path, "migrate")
    run(tmp_path, "seed")
    run(tmp_path, "seed")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM room").fetchone()[0] == 2
        assert conn.execute("SELECT COUNT(*) FROM authority").fetchone()[0] == 2
        names = [r[0] for r in conn.execute("SELECT name FROM text_template ORDER BY name")]
        assert names == ["Eingangsbestätigung", "Unterlagen nachreichen"]
