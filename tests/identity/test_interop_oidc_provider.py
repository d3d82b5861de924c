"""Interoperability: the relying party against a certified OpenID provider.

``tests/identity/oidc_provider/server.mjs`` runs panva's ``oidc-provider`` (OpenID
Certified) on a loopback port. The app logs a citizen in through it end to end: discovery,
authorization request with PKCE, the provider's login and consent forms, the code
exchange with client_secret_basic, ID-token validation against the provider's JWKS.
A second client authenticates at the token endpoint with private_key_jwt (RFC 7523).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
from joserfc.jwk import ECKey, RSAKey
from litestar import Litestar

from app import create_app
from app.identity import texts
from app.settings import (
    AppSettings,
    DatabaseSettings,
    IdentitySettings,
    ProviderSettings,
    SessionSettings,
    Settings,
)
from tests.identity.conftest import BASE_URL, session_data
from tests.login import hidden_inputs
from tests.servers import free_port, in_process, running

PROJECT = Path(__file__).parent / "oidc_provider"
PROVIDER_ID = "interop"
CLIENT_ID = "antragsraum-interop"
CLIENT_SECRET = "interop:secret+with %odd/chars-0123456789"  # RFC 6749 2.3.1 encoding
ACCOUNT = "interop-citizen-1"
CALLBACK = f"{BASE_URL}/auth/callback"
STARTUP_TIMEOUT = 15.0
PKJWT_CLIENT_ID = "antragsraum-interop-pkjwt"


@dataclass(frozen=True)
class NodeProvider:
    issuer: str


@dataclass(frozen=True)
class ClientKeyFiles:
    """Private key files of the private_key_jwt client; the provider knows the public halves."""

    rsa_pem: Path
    """An RSA key in PEM: its kid is its RFC 7638 thumbprint."""
    ec_jwk: Path
    """A P-256 key as a JWK with a kid of its own."""
    forged_jwk: Path
    """Another P-256 key, unknown to the provider, claiming the kid of ``ec_jwk``."""
    public_jwks: dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def client_keys(tmp_path_factory: pytest.TempPathFactory) -> ClientKeyFiles:
    folder = tmp_path_factory.mktemp("client-keys")
    rsa = RSAKey.generate_key(2048, private=True)
    ec = ECKey.generate_key("P-256", {"kid": "interop-ec-1"}, private=True)
    forged = ECKey.generate_key("P-256", {"kid": "interop-ec-1"}, private=True)
    files = ClientKeyFiles(
        rsa_pem=folder / "rsa.pem",
        ec_jwk=folder / "ec.jwk.json",
        forged_jwk=folder / "forged.jwk.json",
        public_jwks={
            "keys": [
                {**rsa.as_dict(private=False), "kid": rsa.thumbprint()},
                ec.as_dict(private=False),
            ]
        },
    )
    files.rsa_pem.write_bytes(rsa.as_pem(private=True))
    files.ec_jwk.write_text(json.dumps(ec.as_dict(private=True)))
    files.forged_jwk.write_text(json.dumps(forged.as_dict(private=True)))
    return files


@pytest.fixture(scope="module")
def node_provider(
    tmp_path_factory: pytest.TempPathFactory, client_keys: ClientKeyFiles
) -> Iterator[NodeProvider]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the oidc-provider interoperability test")
    if not (PROJECT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "oidc-provider is not installed: run `npm ci --prefix tests/identity/oidc_provider`"
            " (or `make test`)"
        )
    port = free_port()
    log_path = tmp_path_factory.mktemp("oidc-provider") / "server.log"
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": CALLBACK,
        "OIDC_PKJWT_CLIENT_ID": PKJWT_CLIENT_ID,
        "OIDC_PKJWT_JWKS": json.dumps(client_keys.public_jwks),
    }
    env.pop("NODE_ENV", None)  # oidc-provider's development defaults allow http issuers
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "server.mjs", str(port)], cwd=PROJECT, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while "listening" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"oidc-provider did not start:\n{log_path.read_text()}")
            time.sleep(0.05)
        yield NodeProvider(issuer=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def interop_settings(tmp_path: Path, database_url: str, node_provider: NodeProvider) -> Settings:
    provider = ProviderSettings(
        id=PROVIDER_ID,
        label="Interop-Anmeldedienst",
        issuer=node_provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        realm="public",
    )
    return Settings(
        app=AppSettings(base_url=BASE_URL, data_dir=str(tmp_path), secret_key="t" * 48),
        database=DatabaseSettings(url=database_url),
        sessions=SessionSettings(backend="memory"),
        identity=IdentitySettings(dev_idp=False, providers=[provider]),
    )


@pytest.fixture
async def interop_app(interop_settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(interop_settings)
    async with running(application):
        yield application


@pytest.fixture
async def browser(interop_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The citizen's browser as seen by the app (in-process)."""
    async with in_process(interop_app) as http:
        yield http


@pytest.fixture
async def idp_browser() -> AsyncIterator[httpx.AsyncClient]:
    """The same browser as seen by the provider (over loopback; keeps its cookies)."""
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield http


async def authorize(
    browser: httpx.AsyncClient,
    idp_browser: httpx.AsyncClient,
    query: str = "",
    provider_id: str = PROVIDER_ID,
) -> str:
    """Start a login at the app and go through the provider; return the callback URL."""
    started = await browser.get(f"/login/{provider_id}{query}")
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    for _ in range(12):
        if url.startswith(CALLBACK):
            return url
        response = await idp_browser.get(url)
        if response.status_code == 200:  # the provider's login or consent form
            form = hidden_inputs(response.text)
            if form["prompt"] == "login":
                form["login"] = ACCOUNT
            response = await idp_browser.post(response.url, data=form)
        assert response.status_code in (302, 303), response.text
        url = str(response.url.join(response.headers["location"]))
    pytest.fail("the provider never redirected back to the app")


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


# The provider authenticates everyone at "substantial" but, as OpenID Connect allows,
# names the acr in the ID token only when the client asked for one (acr_values).
@pytest.mark.parametrize(
    ("query", "trust_level"),
    [("", "normal"), ("?acr=substantial", "substantial"), ("?acr=high", "substantial")],
)
async def test_citizen_logs_in_through_oidc_provider(
    interop_app: Litestar,
    browser: httpx.AsyncClient,
    idp_browser: httpx.AsyncClient,
    node_provider: NodeProvider,
    query: str,
    trust_level: str,
) -> None:
    callback = await authorize(browser, idp_browser, query)
    params = parse_qs(urlsplit(callback).query)
    assert set(params) >= {"code", "state"}
    assert params.get("iss") == [node_provider.issuer]  # RFC 9207 authorization response iss
    response = await browser.get(_path_and_query(callback))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/antraege"
    actor = (await session_data(interop_app, browser))["actor"]
    assert actor["issuer"] == node_provider.issuer
    assert actor["subject"] == ACCOUNT
    assert actor["name"] == "Ines Interop"
    assert actor["email"] == "ines.interop@example.org"
    assert actor["kind"] == "citizen"
    assert actor["trust_level"] == trust_level


async def test_tampered_state_is_refused(
    interop_app: Litestar, browser: httpx.AsyncClient, idp_browser: httpx.AsyncClient
) -> None:
    callback = await authorize(browser, idp_browser)
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    state = query["state"][0]
    query["state"] = [state[:-1] + ("A" if state[-1] != "A" else "B")]
    tampered = httpx.URL(CALLBACK, params={k: v[0] for k, v in query.items()})
    response = await browser.get(_path_and_query(str(tampered)))
    assert response.status_code == 400
    assert "actor" not in await session_data(interop_app, browser)
    assert "oidc_flow" not in await session_data(interop_app, browser)  # no second try


def pkjwt_settings(tmp_path: Path, database_url: str, issuer: str, key_file: Path) -> Settings:
    provider = ProviderSettings(
        id="interop-pkjwt",
        label="Interop-Anmeldedienst (Schlüssel)",
        issuer=issuer,
        client_id=PKJWT_CLIENT_ID,
        client_auth="private_key_jwt",
        private_key_file=str(key_file),
    )
    return Settings(
        app=AppSettings(base_url=BASE_URL, data_dir=str(tmp_path), secret_key="t" * 48),
        database=DatabaseSettings(url=database_url),
        sessions=SessionSettings(backend="memory"),
        identity=IdentitySettings(dev_idp=False, providers=[provider]),
    )


@pytest.mark.parametrize("key_name", ["rsa_pem", "ec_jwk"])
async def test_private_key_jwt_client_logs_in(
    tmp_path: Path,
    database_url: str,
    node_provider: NodeProvider,
    client_keys: ClientKeyFiles,
    idp_browser: httpx.AsyncClient,
    key_name: str,
) -> None:
    key_file: Path = getattr(client_keys, key_name)
    application = create_app(pkjwt_settings(tmp_path, database_url, node_provider.issuer, key_file))
    async with running(application):
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as browser:
            published = (await browser.get("/auth/jwks.json")).json()
            [key] = published["keys"]
            assert "d" not in key  # the public half only
            assert key["use"] == "sig"
            assert key["alg"] == ("RS256" if key_name == "rsa_pem" else "ES256")
            public = {k: v for k, v in key.items() if k not in ("alg", "use")}
            assert public in client_keys.public_jwks["keys"]  # the one the provider knows
            callback = await authorize(browser, idp_browser, provider_id="interop-pkjwt")
            response = await browser.get(_path_and_query(callback))
            assert response.status_code == 303, response.text
            actor = (await session_data(application, browser))["actor"]
            assert (actor["issuer"], actor["subject"]) == (node_provider.issuer, ACCOUNT)


async def test_private_key_jwt_with_a_wrong_key_is_refused(
    tmp_path: Path,
    database_url: str,
    node_provider: NodeProvider,
    client_keys: ClientKeyFiles,
    idp_browser: httpx.AsyncClient,
) -> None:
    settings = pkjwt_settings(tmp_path, database_url, node_provider.issuer, client_keys.forged_jwk)
    application = create_app(settings)
    async with running(application):
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as browser:
            callback = await authorize(browser, idp_browser, provider_id="interop-pkjwt")
            response = await browser.get(_path_and_query(callback))
            assert response.status_code == 400, response.text
            assert texts.LOGIN_FAILED_TITLE in response.text
            assert texts.LOGIN_FAILED["token"] in response.text
            assert "actor" not in await session_data(application, browser)
