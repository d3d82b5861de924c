"""The real application on SQLite, driven in-process through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
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
    SessionSettings,
    Settings,
)
from tests.identity.rogue_idp import CLIENT_ID, CLIENT_SECRET, RogueIdp, RogueServer, free_port

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
    await db.migrate(db.make_engine(url))
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str, rogue_server: RogueIdp) -> Settings:
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
        sessions=SessionSettings(backend="memory"),
        identity=IdentitySettings(dev_idp=True, providers=providers),
    )


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Run the app's ASGI lifespan in one task (startup, then shutdown on exit)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


def hidden_inputs(page: str) -> dict[str, str]:
    pattern = r'<input type="hidden" name="([^"]+)" value="([^"]*)"'
    return {name: html.unescape(value) for name, value in re.findall(pattern, page)}


async def session_data(app: Litestar, client: httpx.AsyncClient) -> dict[str, Any]:
    """What the server stores for the client's session cookie ({} when none)."""
    session_id = client.cookies.get(COOKIE)
    if not session_id:
        return {}
    raw = await app.stores.get("sessions").get(session_id)
    return {} if raw is None else msgspec.json.decode(raw)


async def authorize_url(client: httpx.AsyncClient, provider: str = "dev", query: str = "") -> str:
    response = await client.get(f"/login/{provider}{query}")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def choose_persona(client: httpx.AsyncClient, url: str, persona: str) -> httpx.Response:
    """Open the development IdP's persona page and pick ``persona``."""
    page = await client.get(url)
    assert page.status_code == 200, page.text
    form = {**hidden_inputs(page.text), "persona": persona}
    return await client.post("/dev-idp/authorize", data=form)


async def login(client: httpx.AsyncClient, persona: str, query: str = "") -> httpx.Response:
    """A full login through the development IdP; returns the callback's response."""
    chosen = await choose_persona(client, await authorize_url(client, query=query), persona)
    assert chosen.status_code == 303, chosen.text
    return await client.get(chosen.headers["location"])


async def csrf_post(client: httpx.AsyncClient, path: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(path, data={"_csrf_token": hidden_inputs(page.text)["_csrf_token"]})
