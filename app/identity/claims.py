"""Turn validated ID-token claims into an Actor; map assurance levels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rooms.kernel.actors import Actor, ActorKind, StaffRole, TrustLevel

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


def trust_level_from_acr(acr: object, acr_map: Mapping[str, str] | None = None) -> TrustLevel:
    """The trust level an ``acr`` value stands for; unknown or missing is the lowest.

    ``acr_map`` holds a provider's own values (e.g. a broker's URNs) -> level name.
    """
    if not isinstance(acr, str):
        return TrustLevel.normal
    if acr_map and acr in acr_map:
        return TrustLevel.parse(acr_map[acr])
    return _ACR_LEVELS.get(acr, TrustLevel.normal)


def staff_roles(raw: object, role_map: Mapping[str, str] | None) -> frozenset[str]:
    """Roles from a roles/groups claim (list or space-separated), mapped when configured.

    Without a map only our own role names count; with one, only mapped values do.
    """
    if isinstance(raw, str):
        values = raw.split()
    elif isinstance(raw, list):
        values = [v for v in raw if isinstance(v, str)]
    else:
        return frozenset()
    if role_map:
        return frozenset(role_map[v] for v in values if v in role_map)
    known = {role.value for role in StaffRole}
    return frozenset(v for v in values if v in known)


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _display_name(claims: Mapping[str, Any]) -> str:
    if name := _text(claims, "name"):
        return name
    return " ".join(p for p in (_text(claims, "given_name"), _text(claims, "family_name")) if p)


def actor_from_claims(
    claims: Mapping[str, Any],
    *,
    subject_claim: str,
    staff_realm: bool,
    trust_staff_claims: bool,
    authority: str | None = None,
    roles_claim: str = "roles",
    role_map: Mapping[str, str] | None = None,
    acr_map: Mapping[str, str] | None = None,
) -> Actor:
    """Build the Actor for a login.

    ``staff_realm``: the provider is a staff IdP, so every login is staff, of the
    provider's ``authority``.
    ``trust_staff_claims``: an ``authority`` claim makes a login staff (built-in IdP only;
    a public IdP's claims never grant staff rights).
    """
    subject = claims.get(subject_claim)
    if not isinstance(subject, str) or not subject:
        raise ClaimsError(f"claim {subject_claim!r} missing or empty")
    claimed_authority = _text(claims, "authority") or None
    organisation = _text(claims, "org_id") or None
    if staff_realm:
        kind = ActorKind.staff
        authority_slug = authority or (claimed_authority if trust_staff_claims else None)
        if not authority_slug:
            raise ClaimsError("a staff provider needs its authority configured")
    elif trust_staff_claims and claimed_authority is not None:
        kind, authority_slug = ActorKind.staff, claimed_authority
    elif organisation:
        kind, authority_slug = ActorKind.business, None
    else:
        kind, authority_slug = ActorKind.citizen, None
    is_staff = kind is ActorKind.staff
    return Actor(
        issuer=str(claims["iss"]),
        subject=subject,
        name=_display_name(claims) or subject,
        kind=kind,
        trust_level=trust_level_from_acr(claims.get("acr"), acr_map),
        email=_text(claims, "email"),
        organisation=organisation if kind is ActorKind.business else None,
        authority_slug=authority_slug,
        roles=staff_roles(claims.get(roles_claim), role_map) if is_staff else frozenset(),
    )
