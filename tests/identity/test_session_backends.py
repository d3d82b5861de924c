"""Session stores chosen by settings."""

from __future__ import annotations

from pathlib import Path

import httpx
import msgspec

from app import create_app
from app.settings import SessionSettings, Settings
from tests.backends import on_redis
from tests.identity.conftest import BASE_URL, session_data
from tests.login import login
from tests.servers import running


async def test_file_backend_round_trip(settings: Settings, tmp_path: Path) -> None:
    app = create_app(msgspec.structs.replace(settings, sessions=SessionSettings(backend="file")))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with running(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        await login(client, "erika")
        assert (await session_data(app, client))["actor"]["subject"] == "demo-citizen-erika"
    assert any((tmp_path / "sessions").iterdir())


async def test_redis_backend_round_trip(settings: Settings) -> None:
    """Sessions in the shared Redis, as several instances share them, under the namespace."""
    from redis.asyncio import Redis

    sessions = on_redis().sessions
    app = create_app(msgspec.structs.replace(settings, sessions=sessions))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with running(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        await login(client, "erika")
        assert (await session_data(app, client))["actor"]["subject"] == "demo-citizen-erika"
        session_id = client.cookies.get("antragsraum_session")
        assert session_id
        redis = Redis.from_url(sessions.redis_url)
        try:
            keys = [k.decode() async for k in redis.scan_iter(match=f"*{session_id}*")]
        finally:
            await redis.aclose()
        assert keys == [f"{sessions.redis_namespace}:{session_id}"]
