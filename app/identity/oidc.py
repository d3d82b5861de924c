"""OpenID Connect relying party: authorization code flow with PKCE (S256), state, nonce.

Authlib's async httpx client speaks OAuth 2.0 to the provider; joserfc validates the
ID token (signature against the provider's JWKS, iss, aud, azp, exp, iat, nonce).
The built-in development IdP is reached in-process through ``httpx.ASGITransport``.
The same keys verify back-channel logout tokens (see ``app.identity.logout``).

At the token endpoint the client authenticates with ``client_secret_basic``,
``client_secret_post`` or ``private_key_jwt`` (RFC 7523, OpenID Connect Core 9): a short-lived
assertion signed with the key from ``private_key_file``, whose public half the app publishes
at ``/auth/jwks.json``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode

import httpx
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 nudges towards the httpx2 fork when plain httpx is installed; the
    # project uses httpx (Litestar's test transport and our clients speak it).
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from litestar.types import ASGIApp

HTTP_TIMEOUT = 10.0
CLOCK_LEEWAY = 60
KEY_REFRESH_INTERVAL = 30
"""Seconds between JWKS refetches prompted by an unknown ``kid`` (no refetch storms)."""
CLIENT_ASSERTION_LIFETIME = 60
"""Seconds a private_key_jwt client assertion is valid (RFC 7523 3: short)."""
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", PRIVATE_KEY_JWT)
_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384"}
SAFE_ALGORITHMS = ("RS256", "PS256", "ES256", "RS384", "PS384", "ES384", "RS512", "PS512", "EdDSA")


@dataclass(frozen=True)
class ClientKey:
    """The private key a client signs its private_key_jwt assertions with."""

    key: RSAKey | ECKey
    kid: str
    alg: str

    def public_jwk(self) -> dict[str, Any]:
        return {**self.key.as_dict(private=False), "kid": self.kid, "alg": self.alg, "use": "sig"}


class ClientKeyError(ValueError):
    """A private key file that is missing, unreadable or not a usable signing key."""


def _import_key(data: bytes) -> RSAKey | ECKey:
    text = data.strip()
    if text.startswith(b"{"):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ClientKeyError("not valid JSON") from exc
        if not isinstance(value, dict):
            raise ClientKeyError("not a JWK object")
        kinds: dict[str, type[RSAKey] | type[ECKey]] = {"RSA": RSAKey, "EC": ECKey}
        kind = kinds.get(str(value.get("kty")))
        if kind is None:
            raise ClientKeyError("the JWK is neither an RSA nor an EC key")
        try:
            return kind.import_key(value)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ClientKeyError(f"unusable JWK ({exc})") from exc
    for candidate in (RSAKey, ECKey):
        try:
            return candidate.import_key(text)
        except (JoseError, ValueError, TypeError):
            continue
    raise ClientKeyError("neither an RSA nor an EC private key in PEM form")


def load_client_key(path: str) -> ClientKey:
    """The signing key in ``path`` (PEM, or a JWK as JSON): ``kid`` from the JWK or thumbprint.

    Raises :class:`ClientKeyError`.
    """
    if not path:
        raise ClientKeyError("no private_key_file set")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ClientKeyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    key = _import_key(data)
    if not key.is_private:
        raise ClientKeyError(f"{path} holds a public key only")
    if isinstance(key, RSAKey):
        alg = "RS256"
    else:
        crv = str(key.as_dict(private=False).get("crv"))
        if crv not in _EC_ALGORITHMS:
            raise ClientKeyError(f"unsupported EC curve {crv}")
        alg = _EC_ALGORITHMS[crv]
    kid = key.kid or key.thumbprint()
    return ClientKey(key=key, kid=kid, alg=alg)


class _PrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
    """Authlib's private_key_jwt with a fresh ``jti``, a short lifetime and our ``kid``."""

    def __init__(self, client_key: ClientKey) -> None:
        super().__init__(alg=client_key.alg)
        self.client_key = client_key

    def sign(self, auth: Any, token_endpoint: str) -> str:
        assertion: str = private_key_jwt_sign(
            self.client_key.key,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            alg=self.client_key.alg,
            claims={"jti": secrets.token_urlsafe(32)},
            header={"kid": self.client_key.kid},
            expires_in=CLIENT_ASSERTION_LIFETIME,
        )
        return assertion


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
    authority: str = ""
    """For a staff provider: the authority whose staff log in here."""
    roles_claim: str = "roles"
    role_map: Mapping[str, str] = field(default_factory=dict)
    acr_map: Mapping[str, str] = field(default_factory=dict)
    client_auth: str = "client_secret_basic"
    """Token endpoint authentication: one of :data:`CLIENT_AUTH_METHODS`."""
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


def _client_secret_basic(client: Any, method: str, uri: str, headers: Any, body: Any) -> Any:
    """HTTP Basic client authentication with RFC 6749 2.3.1's form encoding of id and secret.

    Authlib's own leaves them unencoded; providers that decode them (node-oidc-provider,
    Keycloak, ...) then refuse any secret with ``%``, ``+``, ``:`` or the like.
    """
    text = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
    headers["Authorization"] = "Basic " + base64.b64encode(text.encode()).decode("ascii")
    return uri, headers, body


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
        client.register_client_auth_method(("client_secret_basic", _client_secret_basic))
        if private_key_jwt and provider.client_key is not None:
            client.register_client_auth_method(_PrivateKeyJWT(provider.client_key))
        return client

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
