"""The development IdP as an OpenID provider, spoken to directly."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from app.identity.devidp import DEV_CLIENT_ID, DEV_ISSUER, dev_client_secret
from tests.identity.conftest import BASE_URL
from tests.login import choose_persona

ISSUER = DEV_ISSUER  # fixed; the endpoints are at the app's address
REDIRECT_URI = f"{BASE_URL}/auth/callback"
SECRET = dev_client_secret("t" * 48)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_query(challenge: str, **changes: str) -> str:
    params = {
        "response_type": "code",
        "client_id": DEV_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return f"/dev-idp/authorize?{urlencode(params)}"


async def issue_code(client: httpx.AsyncClient, challenge: str, persona: str = "erika") -> str:
    chosen = await choose_persona(client, authorize_query(challenge), persona)
    assert chosen.status_code == 303
    result = parse_qs(urlsplit(chosen.headers["location"]).query)
    assert result["state"] == ["s1"]
    return result["code"][0]


def token_form(issued: str, verifier: str, **changes: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": issued,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": DEV_CLIENT_ID,
        "client_secret": SECRET,
        **changes,
    }


async def test_discovery_and_public_keys(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/dev-idp/.well-known/openid-configuration")).json()
    assert metadata["issuer"] == ISSUER
    assert metadata["jwks_uri"] == f"{BASE_URL}/dev-idp/jwks"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    jwks = (await client.get("/dev-idp/jwks")).json()
    assert [key["kty"] for key in jwks["keys"]] == ["RSA"]
    assert "d" not in jwks["keys"][0]  # no private parts


async def test_token_exchange_issues_signed_id_token(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(client, challenge, persona="max")
    credentials = base64.b64encode(f"{DEV_CLIENT_ID}:{SECRET}".encode()).decode()
    form = token_form(code, verifier)
    del form["client_id"], form["client_secret"]
    response = await client.post(
        "/dev-idp/token", data=form, headers={"Authorization": f"Basic {credentials}"}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    keys = KeySet.import_key_set((await client.get("/dev-idp/jwks")).json())
    claims = jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["iss"] == ISSUER
    assert claims["aud"] == DEV_CLIENT_ID
    assert claims["nonce"] == "n1"
    assert (claims["sub"], claims["acr"], claims["org_id"]) == (
        "demo-business-max",
        "substantial",
        "demo-org-beispiel-gmbh",
    )
    assert {"exp", "iat", "auth_time", "sid", "name", "email"} <= claims.keys()
    assert body["access_token"]


@pytest.mark.parametrize(
    ("changes", "error", "status"),
    [
        ({"code_verifier": "x" * 50}, "invalid_grant", 400),
        ({"redirect_uri": f"{BASE_URL}/elsewhere"}, "invalid_grant", 400),
        ({"code": "unknown"}, "invalid_grant", 400),
        ({"client_secret": "wrong"}, "invalid_client", 401),
        ({"grant_type": "password"}, "unsupported_grant_type", 400),
    ],
)
async def test_token_endpoint_refuses(
    client: httpx.AsyncClient, changes: dict[str, str], error: str, status: int
) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(client, challenge)
    response = await client.post("/dev-idp/token", data=token_form(code, verifier, **changes))
    assert (response.status_code, response.json()) == (status, {"error": error})


async def test_code_is_single_use(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(client, challenge)
    first = await client.post("/dev-idp/token", data=token_form(code, verifier))
    assert first.status_code == 200
    again = await client.post("/dev-idp/token", data=token_form(code, verifier))
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize(
    "changes",
    [{"redirect_uri": "https://evil.example/cb"}, {"client_id": "someone-else"}],
)
async def test_unregistered_client_or_redirect_is_not_redirected(
    client: httpx.AsyncClient, changes: dict[str, str]
) -> None:
    _, challenge = pkce_pair()
    response = await client.get(authorize_query(challenge, **changes))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Anmeldeanfrage abgelehnt" in response.text


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
    ],
)
async def test_bad_authorization_request_is_answered_with_error(
    client: httpx.AsyncClient, changes: dict[str, str], error: str
) -> None:
    _, challenge = pkce_pair()
    response = await client.get(authorize_query(challenge, **changes))
    assert response.status_code == 303
    result = parse_qs(urlsplit(response.headers["location"]).query)
    assert result == {"error": [error], "state": ["s1"]}


async def test_persona_form_needs_csrf_token(client: httpx.AsyncClient) -> None:
    _, challenge = pkce_pair()
    query = parse_qs(urlsplit(authorize_query(challenge)).query)
    form = {k: v[0] for k, v in query.items()} | {"persona": "erika"}
    response = await client.post("/dev-idp/authorize", data=form)
    assert response.status_code == 403
