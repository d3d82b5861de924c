"""Session stores chosen by settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx
import msgspec
import pytest

from app import create_app
from app.identity.sessions import make_session_store
from app.settings import SessionSettings, Settings
from tests.identity.conftest import BASE_URL, login, running, session_data


async def test_file_backend_round_trip(settings: Settings, tmp_path: Path) -> None:
    app = create_app(msgspec.structs.replace(settings, sessions=SessionSettings(backend="file")))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with running(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        await login(client, "erika")
        assert (await session_data(app, client))["actor"]["subject"] == "demo-citizen-erika"
    assert any((tmp_path / "sessions").iterdir())


@pytest.mark.skipif(importlib.util.find_spec("redis") is not None, reason="redis is installed")
def test_redis_backend_without_redis_package_says_so(settings: Settings) -> None:
    redis_settings = msgspec.structs.replace(settings, sessions=SessionSettings(backend="redis"))
    with pytest.raises(RuntimeError, match="pip install redis"):
        make_session_store(redis_settings)
