"""The real application on SQLite, driven in-process through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from app import create_app, db
from app.settings import (
    AppSettings,
    DatabaseSettings,
    IdentitySettings,
    ProviderSettings,
    Settings,
)
from tests import builders
from tests.backends import Services
from tests.identity.rogue_idp import CLIENT_ID, CLIENT_SECRET, RogueIdp, RogueServer
from tests.login import hidden_inputs
from tests.servers import free_port, in_process, running

BASE_URL = "http://127.0.0.1:8000"
COOKIE = "antragsraum_session"


@pytest.fixture(scope="session")
def rogue_server() -> Iterator[RogueIdp]:
    with RogueServer() as idp:
        yield idp


@pytest.fixture
def rogue(rogue_server: RogueIdp) -> Iterator[RogueIdp]:
    rogue_server.mode = "good"
    yield rogue_server
    rogue_server.mode = "good"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("identity-db") / "test.sqlite3"
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    await db.migrate(engine)
    # The personas' authorities, so that staff logins are admitted (from loopback).
    db.bind_engine(engine)
    await builders.authority("demo-stadt")
    await builders.authority("demo-kreis")
    return url


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, rogue_server: RogueIdp, services: Services
) -> Settings:
    providers = [
        ProviderSettings(
            id="rogue",
            label="Test-Anmeldedienst",
            issuer=rogue_server.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        ),
        ProviderSettings(
            id="down",
            label="Ausgefallener Anmeldedienst",
            issuer=f"http://127.0.0.1:{free_port()}",
            client_id="nobody",
        ),
    ]
    return Settings(
        app=AppSettings(base_url=BASE_URL, data_dir=str(tmp_path), secret_key="t" * 48),
        database=DatabaseSettings(url=database_url),
        sessions=services.sessions,  # memory, or Redis for tests on both backends
        identity=IdentitySettings(dev_idp=True, providers=providers),
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(app) as http:
        yield http


async def session_data(app: Litestar, client: httpx.AsyncClient) -> dict[str, Any]:
    """What the server stores for the client's session cookie ({} when none)."""
    session_id = client.cookies.get(COOKIE)
    if not session_id:
        return {}
    raw = await app.stores.get("sessions").get(session_id)
    return {} if raw is None else msgspec.json.decode(raw)


async def csrf_post(client: httpx.AsyncClient, path: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(path, data={"_csrf_token": hidden_inputs(page.text)["_csrf_token"]})
