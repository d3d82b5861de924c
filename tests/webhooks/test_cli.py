"""`antragsraum webhook …` and `client create --scope`, run as an operator would."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from standardwebhooks import Webhook

from tests.app.test_cli import run


def rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(tmp_path / "cli.sqlite3")) as conn:
        return list(conn.execute(sql))


def test_webhook_create_list_disable_and_client_scopes(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    assert run(tmp_path, "authority", "create", "bezirk-mitte", "Bezirksamt Mitte").returncode == 0

    created = run(
        tmp_path,
        "webhook",
        "create",
        "bezirk-mitte",
        "http://127.0.0.1:9/hooks",  # http is allowed outside production
        "--type",
        "room.created",
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    Webhook(secret)  # the independent package accepts the secret's format
    [(stored, types)] = rows(tmp_path, "SELECT secret, event_types FROM webhook_subscription")
    assert stored == secret and json.loads(str(types)) == ["room.created"]
    [(subscription_id,)] = rows(tmp_path, "SELECT id FROM webhook_subscription")

    listed = run(tmp_path, "webhook", "list")
    assert listed.returncode == 0, listed.stderr
    assert "bezirk-mitte" in listed.stdout and "http://127.0.0.1:9/hooks" in listed.stdout
    assert "active" in listed.stdout and secret not in listed.stdout

    disabled = run(tmp_path, "webhook", "disable", str(subscription_id))
    assert disabled.returncode == 0, disabled.stderr
    assert "disabled" in run(tmp_path, "webhook", "list").stdout
    assert run(tmp_path, "webhook", "disable", "not-an-id").returncode != 0

    client = run(tmp_path, "client", "create", "bezirk-mitte", "--scope", "events:read")
    assert client.returncode == 0, client.stderr
    [(scopes,)] = rows(tmp_path, "SELECT scopes FROM api_client")
    assert json.loads(str(scopes)) == ["events:read"]
    bad_scope = run(tmp_path, "client", "create", "bezirk-mitte", "--scope", "admin:all")
    assert bad_scope.returncode != 0 and "admin:all" in bad_scope.stderr


def test_an_http_webhook_is_refused_in_production(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    assert run(tmp_path, "authority", "create", "bezirk-mitte", "Bezirksamt Mitte").returncode == 0
    # What production enforces, without the rest of a production configuration.
    refused = run_with(
        tmp_path, {"ANTRAGSRAUM_WEBHOOKS__REQUIRE_HTTPS": "true"}, "http://x.example/h"
    )
    assert refused.returncode != 0
    assert "must use https://" in refused.stderr
    with_password = run_with(tmp_path, {}, "https://user:pw@x.example/h")
    assert with_password.returncode != 0 and "user name or password" in with_password.stderr
    assert rows(tmp_path, "SELECT count(*) FROM webhook_subscription") == [(0,)]


def run_with(tmp_path: Path, env: dict[str, str], url: str):  # type: ignore[no-untyped-def]
    import os

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run(tmp_path, "webhook", "create", "bezirk-mitte", url)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
