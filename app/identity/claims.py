"""Turn validated ID-token claims into an Actor; map assurance levels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rooms.actors import Actor, ActorKind, TrustLevel

_ACR_LEVELS: dict[str, TrustLevel] = {
    "normal": TrustLevel.normal,
    "substantial": TrustLevel.substantial,
    "high": TrustLevel.high,
    "http://eidas.europa.eu/LoA/low": TrustLevel.normal,
    "http://eidas.europa.eu/LoA/substantial": TrustLevel.substantial,
    "http://eidas.europa.eu/LoA/high": TrustLevel.high,
    "STORK-QAA-Level-1": TrustLevel.normal,
    "STORK-QAA-Level-2": TrustLevel.normal,
    "STORK-QAA-Level-3": TrustLevel.substantial,
    "STORK-QAA-Level-4": TrustLevel.high,
}


class ClaimsError(ValueError):
    """The claims do not describe a usable identity (e.g. no subject)."""


def trust_level_from_acr(acr: object) -> TrustLevel:
    """The trust level an ``acr`` value stands for; unknown or missing is the lowest."""
    if isinstance(acr, str):
        return _ACR_LEVELS.get(acr, TrustLevel.normal)
    return TrustLevel.normal


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _display_name(claims: Mapping[str, Any]) -> str:
    if name := _text(claims, "name"):
        return name
    return " ".join(p for p in (_text(claims, "given_name"), _text(claims, "family_name")) if p)


def actor_from_claims(
    claims: Mapping[str, Any], *, subject_claim: str, staff_realm: bool, trust_staff_claims: bool
) -> Actor:
    """Build the Actor for a login.

    ``staff_realm``: the provider is a staff IdP, so every login is staff.
    ``trust_staff_claims``: an ``authority`` claim makes a login staff (built-in IdP only;
    a public IdP's claims never grant staff rights).
    """
    subject = claims.get(subject_claim)
    if not isinstance(subject, str) or not subject:
        raise ClaimsError(f"claim {subject_claim!r} missing or empty")
    authority = _text(claims, "authority") or None
    organisation = _text(claims, "org_id") or None
    is_staff = staff_realm or (trust_staff_claims and authority is not None)
    if is_staff:
        kind = ActorKind.staff
    elif organisation:
        kind = ActorKind.business
    else:
        kind = ActorKind.citizen
    roles = claims.get("roles")
    staff_roles = (
        frozenset(r for r in roles if isinstance(r, str))
        if isinstance(roles, list)
        else frozenset()
    )
    return Actor(
        issuer=str(claims["iss"]),
        subject=subject,
        name=_display_name(claims) or subject,
        kind=kind,
        trust_level=trust_level_from_acr(claims.get("acr")),
        email=_text(claims, "email"),
        organisation=organisation if kind is ActorKind.business else None,
        authority_slug=authority if is_staff else None,
        roles=staff_roles if is_staff else frozenset(),
    )
