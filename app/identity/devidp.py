"""A minimal, real OpenID Connect provider for development: codes, tokens and keys.

Authorization code flow only, PKCE S256 required, one registered client (the app
itself). Demo personas stand in for BundID, Mein Unternehmenskonto and a staff IdP.
A citizen or business persona whose level is below the requested ``acr_values`` may
confirm with a *simulated* Online-Ausweis (eID): the ID token then names the requested
acr, so that demos can show a step-up end to end. RP-Initiated Logout is checked here;
``DevIdentityProvider.make_logout_token`` makes back-channel logout tokens for tests and
demos. Keys and codes live in memory. Its pages and endpoints, mounted at ``/dev-idp``,
are in ``app.identity.devidp_routes``. Never enabled in production (settings refuse it).

Its issuer is ``DEV_ISSUER``, the same wherever the app is reached, while its endpoints
are at the app's own address (``endpoints``). Applicants are keyed by (issuer, subject):
an issuer derived from the base URL would make every room of the demo personas belong
to somebody else once a demo moves to another host or port (and each test server on its
own port would be another provider). The tokens stay verifiable: the relying party
finds the metadata and keys at the endpoints, and checks ``iss`` against this issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from app.identity.claims import trust_level_from_acr
from app.identity.personas import Persona
from rooms.kernel.actors import ActorKind, TrustLevel

DEV_CLIENT_ID = "antragsraum-dev"
CODE_LIFETIME = 60
TOKEN_LIFETIME = 300
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
)
DEV_ISSUER = "https://dev-idp.invalid"
"""The development IdP's issuer: fixed, and under the reserved .invalid name (RFC 6761),
so it can never be a real provider's and is never looked up on the network."""
SIMULATED_EID_KINDS = (ActorKind.citizen, ActorKind.business)
"""Personas that may confirm a step-up with the simulated Online-Ausweis."""


def dev_client_secret(app_secret: str) -> str:
    """The registered client's secret, derived from the application secret."""
    return hmac.new(app_secret.encode(), b"dev-idp client secret", hashlib.sha256).hexdigest()


class AuthorizeRefused(Exception):
    """Client or redirect URI unknown: shown on the IdP's page, never redirected."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenError(Exception):
    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


@dataclass(frozen=True)
class AuthorizationRequest:
    params: dict[str, str]
    """The recognised request parameters, carried through the persona form."""
    error: str | None
    """An OAuth error to send back to the client instead of asking for a persona."""

    @property
    def minimum_level(self) -> TrustLevel:
        requested = self.params.get("acr_values", "").split()
        return min((trust_level_from_acr(v) for v in requested), default=TrustLevel.normal)

    def accepts(self, persona: Persona) -> bool:
        return trust_level_from_acr(persona.acr) >= self.minimum_level

    def offers_simulated_eid(self, persona: Persona) -> bool:
        """A persona too weak for this request that may step up with the simulated eID."""
        return persona.kind in SIMULATED_EID_KINDS and not self.accepts(persona)

    def redirect(self, **result: str) -> str:
        if state := self.params.get("state"):
            result["state"] = state
        return f"{self.params['redirect_uri']}?{urlencode(result)}"


@dataclass(frozen=True)
class IssuedCode:
    persona: Persona
    redirect_uri: str
    code_challenge: str
    nonce: str
    scope: str
    expires_at: float
    auth_time: int
    acr: str | None = None
    """The acr of a simulated eID confirmation, in place of the persona's own."""


class DevIdentityProvider:
    def __init__(
        self,
        *,
        endpoints: str,
        client_secret: str,
        redirect_uri: str,
        post_logout_redirect_uri: str | None = None,
    ) -> None:
        self.issuer = DEV_ISSUER
        self.endpoints = endpoints.rstrip("/")
        """Where its endpoints are: the app's base URL and the mount path."""
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.post_logout_redirect_uri = post_logout_redirect_uri
        self.key = RSAKey.generate_key(2048, {"use": "sig", "alg": "RS256"}, auto_kid=True)
        self._codes: dict[str, IssuedCode] = {}

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.endpoints}/authorize",
            "token_endpoint": f"{self.endpoints}/token",
            "jwks_uri": f"{self.endpoints}/jwks",
            "end_session_endpoint": f"{self.endpoints}/logout",
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "profile", "email"],
            "acr_values_supported": ["normal", "substantial", "high"],
            "claims_supported": [
                "sub",
                "name",
                "email",
                "acr",
                "org_id",
                "org_name",
                "authority",
                "roles",
            ],
        }

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def parse_authorization(self, query: Mapping[str, str]) -> AuthorizationRequest:
        params = {name: query[name] for name in AUTHORIZE_PARAMS if query.get(name)}
        if params.get("client_id") != DEV_CLIENT_ID:
            raise AuthorizeRefused("client")
        if params.get("redirect_uri") != self.redirect_uri:
            raise AuthorizeRefused("redirect_uri")
        error = None
        if params.get("response_type") != "code":
            error = "unsupported_response_type"
        elif "openid" not in params.get("scope", "").split():
            error = "invalid_scope"
        elif params.get("code_challenge_method") != "S256" or "code_challenge" not in params:
            error = "invalid_request"
        return AuthorizationRequest(params=params, error=error)

    def issue_code(
        self, request: AuthorizationRequest, persona: Persona, *, simulated_eid: bool = False
    ) -> str:
        now = time.time()
        self._codes = {c: v for c, v in self._codes.items() if v.expires_at > now}
        code = secrets.token_urlsafe(32)
        self._codes[code] = IssuedCode(
            persona=persona,
            redirect_uri=request.params["redirect_uri"],
            code_challenge=request.params["code_challenge"],
            nonce=request.params.get("nonce", ""),
            scope=request.params.get("scope", ""),
            expires_at=now + CODE_LIFETIME,
            auth_time=int(now),
            acr=request.minimum_level.name if simulated_eid else None,
        )
        return code

    def _authenticate_client(self, form: Mapping[str, str], authorization: str | None) -> None:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization and authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:], validate=True).decode()
            except ValueError as exc:
                raise TokenError("invalid_client", 401) from exc
            client_id, _, secret = (unquote_plus(p) for p in decoded.partition(":"))
        valid_id = hmac.compare_digest(client_id.encode(), DEV_CLIENT_ID.encode())
        valid_secret = hmac.compare_digest(secret.encode(), self.client_secret.encode())
        if not (valid_id and valid_secret):
            raise TokenError("invalid_client", 401)

    def exchange_code(self, form: Mapping[str, str], authorization: str | None) -> dict[str, Any]:
        self._authenticate_client(form, authorization)
        if form.get("grant_type") != "authorization_code":
            raise TokenError("unsupported_grant_type")
        issued = self._codes.pop(form.get("code", ""), None)  # single use, even on failure
        if issued is None or issued.expires_at <= time.time():
            raise TokenError("invalid_grant")
        if form.get("redirect_uri") != issued.redirect_uri:
            raise TokenError("invalid_grant")
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128:
            raise TokenError("invalid_grant")
        challenge = create_s256_code_challenge(verifier)
        if not hmac.compare_digest(challenge.encode(), issued.code_challenge.encode()):
            raise TokenError("invalid_grant")
        return {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "scope": issued.scope,
            "id_token": self._id_token(issued),
        }

    def check_logout(self, query: Mapping[str, str]) -> str | None:
        """Validate an RP-initiated logout; return where to send the browser (None: stay).

        The ID token hint must be one this IdP issued to the registered client; it may
        have expired (OpenID RP-Initiated Logout 1.0, 2). The return address must be the
        registered one. Raises :class:`AuthorizeRefused`.
        """
        hint = query.get("id_token_hint", "")
        try:
            claims = jwt.decode(hint, self.key, algorithms=["RS256"]).claims
        except (JoseError, ValueError, TypeError) as exc:
            raise AuthorizeRefused("id_token_hint") from exc
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if claims.get("iss") != self.issuer or DEV_CLIENT_ID not in audiences:
            raise AuthorizeRefused("id_token_hint")
        if query.get("client_id", DEV_CLIENT_ID) != DEV_CLIENT_ID:
            raise AuthorizeRefused("client")
        target = query.get("post_logout_redirect_uri")
        if not target:
            return None
        if target != self.post_logout_redirect_uri:
            raise AuthorizeRefused("post_logout_redirect_uri")
        state = query.get("state")
        return f"{target}?{urlencode({'state': state})}" if state else target

    def make_logout_token(
        self, sub: str | None = None, sid: str | None = None, **changes: Any
    ) -> str:
        """A back-channel logout token for the registered client, signed by this IdP.

        ``changes`` override claims (``None`` removes one): for tests of refusals.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": DEV_CLIENT_ID,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "events": {BACKCHANNEL_EVENT: {}},
        }
        if sub is not None:
            claims["sub"] = sub
        if sid is not None:
            claims["sid"] = sid
        claims.update(changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        header = {"alg": "RS256", "kid": self.key.kid, "typ": "logout+jwt"}
        return jwt.encode(header, claims, self.key)

    def _id_token(self, issued: IssuedCode) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            **issued.persona.claims(),
            "iss": self.issuer,
            "aud": DEV_CLIENT_ID,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "auth_time": issued.auth_time,
            "sid": secrets.token_urlsafe(16),
        }
        if issued.nonce:
            claims["nonce"] = issued.nonce
        if issued.acr:  # simulated eID confirmation (step-up)
            claims["acr"] = issued.acr
            claims["amr"] = ["eid-simulated"]
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
