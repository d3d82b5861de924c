"""private_key_jwt client authentication: key files, start-up refusals, the published JWKS.

The round trip against a certified provider is in ``test_interop_oidc_provider.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from app import create_app
from app.identity.client_auth import ClientKeyError, PrivateKeyJWTAuth, load_client_key
from app.settings import ProviderSettings, Settings, SettingsError
from tests.identity.conftest import BASE_URL
from tests.servers import running


def with_provider(settings: Settings, **fields: str) -> Settings:
    provider = ProviderSettings(
        id="keyed", label="Mit Schlüssel", issuer="https://idp.example", client_id="ar", **fields
    )
    settings.identity.providers.append(provider)
    return settings


def test_pem_key_gets_its_thumbprint_as_kid(tmp_path: Path) -> None:
    key = RSAKey.generate_key(2048, private=True)
    path = tmp_path / "key.pem"
    path.write_bytes(key.as_pem(private=True))
    loaded = load_client_key(str(path))
    assert (loaded.kid, loaded.alg) == (key.thumbprint(), "RS256")
    assert "d" not in loaded.public_jwk()


def test_jwk_key_keeps_its_kid(tmp_path: Path) -> None:
    key = ECKey.generate_key("P-256", {"kid": "mine"}, private=True)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key.as_dict(private=True)))
    loaded = load_client_key(str(path))
    assert (loaded.kid, loaded.alg) == ("mine", "ES256")


@pytest.mark.parametrize("content", [None, b"", b"not a key", b'{"kty": "oct", "k": "AAAA"}'])
def test_unusable_key_files(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "key"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ClientKeyError):
        load_client_key(str(path))


def test_public_key_only_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "public.json"
    path.write_text(json.dumps(RSAKey.generate_key(2048).as_dict(private=False)))
    with pytest.raises(ClientKeyError, match="public key only"):
        load_client_key(str(path))


def test_assertion_claims(tmp_path: Path) -> None:
    key = ECKey.generate_key("P-256", {"kid": "mine"}, private=True)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key.as_dict(private=True)))
    method = PrivateKeyJWTAuth(load_client_key(str(path)))

    class Auth:
        client_id = "ar"

    first = method.sign(Auth(), "https://idp.example/token")
    second = method.sign(Auth(), "https://idp.example/token")
    token = jwt.decode(first, key, algorithms=["ES256"])
    claims = token.claims
    assert (token.header["alg"], token.header["kid"]) == ("ES256", "mine")
    assert (claims["iss"], claims["sub"], claims["aud"]) == (
        "ar",
        "ar",
        "https://idp.example/token",
    )
    assert 0 < claims["exp"] - claims["iat"] <= 60
    assert claims["jti"] != jwt.decode(second, key, algorithms=["ES256"]).claims["jti"]


@pytest.mark.parametrize("key_file", ["", "/nonexistent/antragsraum-key.pem"])
def test_app_refuses_to_start_without_a_readable_key(settings: Settings, key_file: str) -> None:
    with_provider(settings, client_auth="private_key_jwt", private_key_file=key_file)
    with pytest.raises(SettingsError, match=r"keyed.*private_key_file"):
        create_app(settings)


async def test_jwks_published_only_with_private_key_jwt(settings: Settings, tmp_path: Path) -> None:
    async def jwks(app_settings: Settings) -> httpx.Response:
        application = create_app(app_settings)
        async with running(application):
            transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
                return await http.get("/auth/jwks.json")

    assert (await jwks(settings)).status_code == 404
    key = RSAKey.generate_key(2048, private=True)
    path = tmp_path / "key.pem"
    path.write_bytes(key.as_pem(private=True))
    response = await jwks(
        with_provider(settings, client_auth="private_key_jwt", private_key_file=str(path))
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jwk-set+json")
    [published] = response.json()["keys"]
    assert published == {
        **key.as_dict(private=False),
        "kid": key.thumbprint(),
        "alg": "RS256",
        "use": "sig",
    }
