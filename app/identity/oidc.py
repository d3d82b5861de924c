"""OpenID Connect relying party: authorization code flow with PKCE (S256), state, nonce.

Authlib's async httpx client speaks OAuth 2.0 to the provider: discovery, the code
exchange, UserInfo; the provider's JWKS is cached and refetched when its keys rotate.
ID tokens are validated in ``app.identity.id_tokens``; the client authenticates at the
token endpoint as ``app.identity.client_auth`` describes. The built-in development IdP
is reached in-process through ``httpx.ASGITransport``. The same keys verify back-channel
logout tokens (see ``app.identity.logout``).
"""

from __future__ import annotations

import secrets
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 nudges towards the httpx2 fork when plain httpx is installed; the
    # project uses httpx (Litestar's test transport and our clients speak it).
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from litestar.types import ASGIApp

from app.identity.client_auth import (
    PRIVATE_KEY_JWT,
    ClientKey,
    PrivateKeyJWTAuth,
    client_secret_basic,
)
from app.identity.id_tokens import LoginFailed, validate_id_token

HTTP_TIMEOUT = 10.0
KEY_REFRESH_INTERVAL = 30
"""Seconds between JWKS refetches prompted by an unknown ``kid`` (no refetch storms)."""
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
    discovery_url: str = ""
    """Where the metadata is when not under the issuer (the development IdP, whose
    issuer is fixed while it is served at the app's address); empty: under the issuer."""
    authority: str = ""
    """For a staff provider: the authority whose staff log in here."""
    roles_claim: str = "roles"
    role_map: Mapping[str, str] = field(default_factory=dict)
    acr_map: Mapping[str, str] = field(default_factory=dict)
    client_auth: str = "client_secret_basic"
    """Token endpoint authentication: one of ``client_auth.CLIENT_AUTH_METHODS``."""
    client_key: ClientKey | None = None
    """The signing key for ``private_key_jwt``."""


@dataclass(frozen=True)
class ProviderMetadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    token_auth_method: str
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None
    """RP-Initiated Logout 1.0, when the provider offers it."""


@dataclass(frozen=True)
class VerifiedLogin:
    claims: dict[str, Any]
    id_token: str
    """The raw ID token: sent back as ``id_token_hint`` at logout."""


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense."""


class SignatureInvalid(Exception):
    """A token's signature does not verify with the provider's keys."""


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
    if provider.client_auth == "client_secret_basic":
        # The default: fall back to client_secret_post where the provider lacks basic.
        basic = "client_secret_basic" in methods
        auth_method = "client_secret_basic" if basic else "client_secret_post"
    else:
        auth_method = provider.client_auth  # configured explicitly: no second-guessing
    end_session = data.get("end_session_endpoint")
    try:
        return ProviderMetadata(
            authorization_endpoint=str(data["authorization_endpoint"]),
            token_endpoint=str(data["token_endpoint"]),
            jwks_uri=str(data["jwks_uri"]),
            algorithms=tuple(a for a in SAFE_ALGORITHMS if a in offered),
            token_auth_method=auth_method,
            userinfo_endpoint=str(data.get("userinfo_endpoint") or "") or None,
            end_session_endpoint=end_session if isinstance(end_session, str) else None,
        )
    except KeyError as exc:
        raise ProviderUnavailable(f"discovery of {provider.id}: {exc} missing") from exc


class RelyingParty:
    """Logins through the configured providers; caches discovery and JWKS per provider."""

    def __init__(self, providers: list[Provider], *, base_url: str) -> None:
        self.providers = {provider.id: provider for provider in providers}
        self.base_url = base_url
        self.redirect_uri = f"{base_url}/auth/callback"
        self.post_logout_redirect_uri = f"{base_url}/"
        self._metadata: dict[str, ProviderMetadata] = {}
        self._keys: dict[str, KeySet] = {}
        self._keys_fetched_at: dict[str, float] = {}

    def client_jwks(self) -> dict[str, Any] | None:
        """The public keys of this client's private_key_jwt assertions (None: none in use)."""
        published: dict[str, dict[str, Any]] = {}
        for provider in self.providers.values():
            if provider.client_auth == PRIVATE_KEY_JWT and provider.client_key is not None:
                published.setdefault(provider.client_key.kid, provider.client_key.public_jwk())
        return {"keys": list(published.values())} if published else None

    def _client(
        self, provider: Provider, app: ASGIApp, metadata: ProviderMetadata | None = None
    ) -> AsyncOAuth2Client:
        options: dict[str, Any] = {"timeout": HTTP_TIMEOUT}
        if provider.built_in:
            transport = httpx.ASGITransport(app=cast("Any", app))  # any ASGI app will do
            options |= {"transport": transport, "base_url": self.base_url}
        private_key_jwt = provider.client_key is not None and (
            metadata is not None and metadata.token_auth_method == PRIVATE_KEY_JWT
        )
        client = AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=None if private_key_jwt else provider.client_secret,
            token_endpoint_auth_method=metadata.token_auth_method if metadata else None,
            scope=provider.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            **options,
        )
        client.register_client_auth_method(("client_secret_basic", client_secret_basic))
        if private_key_jwt and provider.client_key is not None:
            client.register_client_auth_method(PrivateKeyJWTAuth(provider.client_key))
        return client

    async def _get_json(self, client: AsyncOAuth2Client, url: str) -> dict[str, Any]:
        try:
            response = await client.request("GET", url, withhold_token=True)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url}: {exc!r}") from exc
        return _json_object(response)

    async def metadata(self, provider: Provider, app: ASGIApp) -> ProviderMetadata:
        if provider.id not in self._metadata:
            url = provider.discovery_url or (
                f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration"
            )
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
        self._keys_fetched_at[provider.id] = time.monotonic()
        return keys

    def _may_refetch_keys(self, provider: Provider) -> bool:
        fetched_at = self._keys_fetched_at.get(provider.id)
        return fetched_at is None or time.monotonic() - fetched_at >= KEY_REFRESH_INTERVAL

    async def verify_signature(
        self, provider: Provider, app: ASGIApp, token: str
    ) -> dict[str, Any]:
        """The claims of a JWT signed by ``provider`` (signature checked, claims not).

        Raises :class:`SignatureInvalid` or :class:`ProviderUnavailable`.
        """
        metadata = await self.metadata(provider, app)
        async with self._client(provider, app, metadata) as client:
            keys = self._keys.get(provider.id) or await self._fetch_keys(provider, client)
            for attempt in range(2):
                try:
                    decoded = jwt.decode(token, keys, algorithms=list(metadata.algorithms))
                except InvalidKeyIdError as exc:
                    if attempt or not self._may_refetch_keys(provider):
                        raise SignatureInvalid("unknown key") from exc
                    keys = await self._fetch_keys(provider, client)  # rotated keys?
                    continue
                except (JoseError, ValueError, TypeError, KeyError) as exc:
                    raise SignatureInvalid(str(exc)) from exc
                if not isinstance(decoded.claims, dict):
                    raise SignatureInvalid("claims")
                return dict(decoded.claims)
        raise SignatureInvalid("unknown key")  # not reached: the loop returns or raises

    async def end_session_url(self, provider: Provider, app: ASGIApp, id_token: str) -> str | None:
        """Where to send the browser to log out at the provider too (None: nowhere)."""
        metadata = await self.metadata(provider, app)
        endpoint = metadata.end_session_endpoint
        if not endpoint:
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": self.post_logout_redirect_uri,
                "client_id": provider.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

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

    async def _userinfo(
        self,
        client: AsyncOAuth2Client,
        metadata: ProviderMetadata,
        token: dict[str, Any],
        claims: dict[str, Any],
    ) -> dict[str, Any]:
        """Add the UserInfo claims to the ID token's (OpenID Connect Core 5.3, 5.4).

        In the code flow a provider may return the claims of the ``profile`` and ``email``
        scopes from its UserInfo endpoint only. The ID token's own claims take precedence.
        """
        if metadata.userinfo_endpoint is None or not token.get("access_token"):
            return claims
        try:
            response = await client.request("GET", metadata.userinfo_endpoint)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{metadata.userinfo_endpoint}: {exc!r}") from exc
        userinfo = _json_object(response)
        if userinfo.get("sub") != claims["sub"]:  # 5.3.4: must be the ID token's subject
            raise LoginFailed("claims")
        return {**userinfo, **claims}

    async def finish_login(
        self, provider: Provider, app: ASGIApp, *, code: str, nonce: str, code_verifier: str
    ) -> VerifiedLogin:
        """Exchange the code; return the ID token and its validated claims plus UserInfo's."""
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
                claims = validate(keys)
            except InvalidKeyIdError:
                keys = await self._fetch_keys(provider, client)  # the provider rotated its keys
                try:
                    claims = validate(keys)
                except InvalidKeyIdError as exc:
                    raise LoginFailed("signature") from exc
            claims = await self._userinfo(client, metadata, token, claims)
            return VerifiedLogin(claims=claims, id_token=id_token)
