"""How the relying party authenticates at a provider's token endpoint.

``client_secret_basic`` with RFC 6749 2.3.1's form encoding, ``client_secret_post`` (Authlib's
own), or ``private_key_jwt`` (RFC 7523, OpenID Connect Core 9): a short-lived assertion signed
with the key from ``private_key_file``, whose public half the app publishes at
``/auth/jwks.json``.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

CLIENT_ASSERTION_LIFETIME = 60
"""Seconds a private_key_jwt client assertion is valid (RFC 7523 3: short)."""
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", PRIVATE_KEY_JWT)
_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384"}


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


class PrivateKeyJWTAuth(PrivateKeyJWT):  # type: ignore[misc]
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


def client_secret_basic(client: Any, method: str, uri: str, headers: Any, body: Any) -> Any:
    """HTTP Basic client authentication with RFC 6749 2.3.1's form encoding of id and secret.

    Authlib's own leaves them unencoded; providers that decode them (node-oidc-provider,
    Keycloak, ...) then refuse any secret with ``%``, ``+``, ``:`` or the like.
    """
    text = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
    headers["Authorization"] = "Basic " + base64.b64encode(text.encode()).decode("ascii")
    return uri, headers, body
