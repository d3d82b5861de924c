"""OpenID Connect relying party: authorization code flow with PKCE (S256), state, nonce.

Authlib's async httpx client speaks OAuth 2.0 to the provider; joserfc validates the
ID token (signature against the provider's JWKS, iss, aud, azp, exp, iat, nonce).
The built-in development IdP is reached in-process through ``httpx.ASGITransport``.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import httpx
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 nudges towards the httpx2 fork when plain httpx is installed; the
    # project uses httpx (Litestar's test transport and our clients speak it).
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from litestar.types import ASGIApp

HTTP_TIMEOUT = 10.0
CLOCK_LEEWAY = 60
SAFE_ALGORITHMS = ("RS256", "PS256", "ES256", "RS384", "PS384", "ES384", "RS512", "PS512", "EdDSA")


@dataclass(frozen=True)
class Provider:
    id: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    realm: str = "public"
    subject_claim: str = "sub"
    scope: str = "openid profile email"
    built_in: bool = False
    """The development IdP inside this app: reached without a network hop."""


@dataclass(frozen=True)
class ProviderMetadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    token_auth_method: str


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense."""


class LoginFailed(Exception):
    """A login was refused; ``reason`` is a short code for audit and the error page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CLAIM_REASONS = {"iss": "issuer", "aud": "audience", "exp": "expired", "nonce": "nonce"}


def validate_id_token(
    id_token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: tuple[str, ...],
) -> dict[str, Any]:
    """Verify an ID token and return its claims.

    Raises :class:`LoginFailed`, or ``InvalidKeyIdError`` when no key matches its ``kid``.
    """
    try:
        token = jwt.decode(id_token, keys, algorithms=list(algorithms))
    except InvalidKeyIdError:
        raise
    except (JoseError, ValueError) as exc:
        raise LoginFailed("signature") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims = token.claims
    try:
        registry.validate(claims)
    except ClaimError as exc:
        raise LoginFailed(_CLAIM_REASONS.get(exc.claim, "claims")) from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if "azp" in claims and claims["azp"] != client_id:
        raise LoginFailed("audience")
    if len(audiences) > 1 and "azp" not in claims:
        raise LoginFailed("audience")
    return claims


def _json_object(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise ProviderUnavailable(f"{response.request.url}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise ProviderUnavailable(f"{response.request.url}: not JSON") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{response.request.url}: not a JSON object")
    return data


def _parse_metadata(provider: Provider, data: dict[str, Any]) -> ProviderMetadata:
    if data.get("issuer") != provider.issuer:
        raise ProviderUnavailable(f"discovery of {provider.id}: issuer mismatch")
    offered = data.get("id_token_signing_alg_values_supported") or ["RS256"]
    methods = data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    basic = "client_secret_basic" in methods
    try:
        return ProviderMetadata(
            authorization_endpoint=str(data["authorization_endpoint"]),
            token_endpoint=str(data["token_endpoint"]),
            jwks_uri=str(data["jwks_uri"]),
            algorithms=tuple(a for a in SAFE_ALGORITHMS if a in offered),
            token_auth_method="client_secret_basic" if basic else "client_secret_post",
        )
    except KeyError as exc:
        raise ProviderUnavailable(f"discovery of {provider.id}: {exc} missing") from exc


class RelyingParty:
    """Logins through the configured providers; caches discovery and JWKS per provider."""

    def __init__(self, providers: list[Provider], *, base_url: str) -> None:
        self.providers = {provider.id: provider for provider in providers}
        self.base_url = base_url
        self.redirect_uri = f"{base_url}/auth/callback"
        self._metadata: dict[str, ProviderMetadata] = {}
        self._keys: dict[str, KeySet] = {}

    def _client(
        self, provider: Provider, app: ASGIApp, metadata: ProviderMetadata | None = None
    ) -> AsyncOAuth2Client:
        options: dict[str, Any] = {"timeout": HTTP_TIMEOUT}
        if provider.built_in:
            transport = httpx.ASGITransport(app=cast("Any", app))  # any ASGI app will do
            options |= {"transport": transport, "base_url": self.base_url}
        return AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            token_endpoint_auth_method=metadata.token_auth_method if metadata else None,
            scope=provider.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            **options,
        )

    async def _get_json(self, client: AsyncOAuth2Client, url: str) -> dict[str, Any]:
        try:
            response = await client.request("GET", url, withhold_token=True)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url}: {exc!r}") from exc
        return _json_object(response)

    async def metadata(self, provider: Provider, app: ASGIApp) -> ProviderMetadata:
        if provider.id not in self._metadata:
            url = f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration"
            async with self._client(provider, app) as client:
                data = await self._get_json(client, url)
            self._metadata[provider.id] = _parse_metadata(provider, data)
        return self._metadata[provider.id]

    async def _fetch_keys(self, provider: Provider, client: AsyncOAuth2Client) -> KeySet:
        metadata = self._metadata[provider.id]
        data = await self._get_json(client, metadata.jwks_uri)
        try:
            keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable(f"JWKS of {provider.id} unusable") from exc
        self._keys[provider.id] = keys
        return keys

    async def start_login(
        self, provider: Provider, app: ASGIApp, *, acr_values: str | None = None
    ) -> LoginStart:
        metadata = await self.metadata(provider, app)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        code_verifier = secrets.token_urlsafe(64)
        extra = {"acr_values": acr_values} if acr_values else {}
        async with self._client(provider, app, metadata) as client:
            url, _ = client.create_authorization_url(
                metadata.authorization_endpoint,
                state=state,
                code_verifier=code_verifier,
                nonce=nonce,
                **extra,
            )
        return LoginStart(url=url, state=state, nonce=nonce, code_verifier=code_verifier)

    async def finish_login(
        self, provider: Provider, app: ASGIApp, *, code: str, nonce: str, code_verifier: str
    ) -> dict[str, Any]:
        """Exchange the code and return the ID token's validated claims."""
        metadata = await self.metadata(provider, app)
        async with self._client(provider, app, metadata) as client:
            try:
                token = await client.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
            except OAuthError as exc:
                raise LoginFailed("token") from exc
            except (httpx.HTTPError, ValueError) as exc:
                raise ProviderUnavailable(f"token endpoint of {provider.id}: {exc!r}") from exc
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise LoginFailed("token")
            validate = partial(
                validate_id_token,
                id_token,
                issuer=provider.issuer,
                client_id=provider.client_id,
                nonce=nonce,
                algorithms=metadata.algorithms,
            )
            keys = self._keys.get(provider.id) or await self._fetch_keys(provider, client)
            try:
                return validate(keys)
            except InvalidKeyIdError:
                keys = await self._fetch_keys(provider, client)  # the provider rotated its keys
            try:
                return validate(keys)
            except InvalidKeyIdError as exc:
                raise LoginFailed("signature") from exc
