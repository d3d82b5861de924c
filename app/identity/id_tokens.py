"""ID token validation (OpenID Connect Core 3.1.3.7) with joserfc, and the login refusal.

The signature is checked against the provider's JWKS, then iss, aud, azp, exp, iat and
nonce. ``CLOCK_LEEWAY`` is shared with the back-channel logout token checks.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

CLOCK_LEEWAY = 60
_CLAIM_REASONS = {"iss": "issuer", "aud": "audience", "exp": "expired", "nonce": "nonce"}


class LoginFailed(Exception):
    """A login was refused; ``reason`` is a short code for audit and the error page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
