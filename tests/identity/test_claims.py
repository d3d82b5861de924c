"""Claims to Actor, trust levels, safe return paths."""

from __future__ import annotations

import pytest

from app.identity.actor import safe_next
from app.identity.claims import ClaimsError, actor_from_claims, trust_level_from_acr
from rooms.kernel.actors import ActorKind, TrustLevel


@pytest.mark.parametrize(
    ("acr", "level"),
    [
        ("normal", TrustLevel.normal),
        ("substantial", TrustLevel.substantial),
        ("high", TrustLevel.high),
        ("http://eidas.europa.eu/LoA/low", TrustLevel.normal),
        ("http://eidas.europa.eu/LoA/substantial", TrustLevel.substantial),
        ("http://eidas.europa.eu/LoA/high", TrustLevel.high),
        ("STORK-QAA-Level-1", TrustLevel.normal),
        ("STORK-QAA-Level-2", TrustLevel.normal),
        ("STORK-QAA-Level-3", TrustLevel.substantial),
        ("STORK-QAA-Level-4", TrustLevel.high),
        ("something-else", TrustLevel.normal),
        (None, TrustLevel.normal),
    ],
)
def test_trust_level_from_acr(acr: object, level: TrustLevel) -> None:
    assert trust_level_from_acr(acr) is level


BASE = {"iss": "https://idp.example", "sub": "s-1", "name": "Erika Mustermann"}


def test_staff_realm_makes_staff_of_the_providers_authority() -> None:
    claims = {**BASE, "authority": "another-authority", "roles": ["caseworker", 7]}
    actor = actor_from_claims(
        claims,
        subject_claim="sub",
        staff_realm=True,
        trust_staff_claims=False,
        authority="demo-stadt",
    )
    assert actor.kind is ActorKind.staff
    assert (actor.authority_slug, actor.roles) == ("demo-stadt", frozenset({"caseworker"}))


def test_a_staff_provider_without_its_authority_is_refused() -> None:
    with pytest.raises(ClaimsError, match="authority"):
        actor_from_claims(
            {**BASE, "authority": "demo-stadt"},
            subject_claim="sub",
            staff_realm=True,
            trust_staff_claims=False,
        )


def test_groups_are_mapped_onto_roles_and_unmapped_ones_dropped() -> None:
    claims = {**BASE, "groups": "sb-wohngeld it-admins leitung"}
    actor = actor_from_claims(
        claims,
        subject_claim="sub",
        staff_realm=True,
        trust_staff_claims=False,
        authority="demo-stadt",
        roles_claim="groups",
        role_map={"sb-wohngeld": "caseworker", "leitung": "team_lead"},
    )
    assert actor.roles == frozenset({"caseworker", "team_lead"})


def test_a_providers_own_acr_values_map_onto_trust_levels() -> None:
    acr_map = {"urn:broker:loa:eid": "high", "urn:broker:loa:password": "normal"}
    assert trust_level_from_acr("urn:broker:loa:eid", acr_map) is TrustLevel.high
    assert trust_level_from_acr("urn:broker:loa:password", acr_map) is TrustLevel.normal
    assert trust_level_from_acr("substantial", acr_map) is TrustLevel.substantial


def test_public_provider_cannot_grant_staff() -> None:
    claims = {**BASE, "authority": "demo-stadt", "roles": ["caseworker"]}
    actor = actor_from_claims(
        claims, subject_claim="sub", staff_realm=False, trust_staff_claims=False
    )
    assert actor.kind is ActorKind.citizen
    assert (actor.authority_slug, actor.roles) == (None, frozenset())


def test_business_and_subject_claim() -> None:
    claims = {**BASE, "bpk2": "bpk-xyz", "org_id": "org-1", "given_name": "Max", "name": ""}
    claims["family_name"] = "Beispiel"
    actor = actor_from_claims(
        claims, subject_claim="bpk2", staff_realm=False, trust_staff_claims=False
    )
    assert (actor.kind, actor.subject, actor.organisation) == (
        ActorKind.business,
        "bpk-xyz",
        "org-1",
    )
    assert actor.name == "Max Beispiel"


def test_missing_subject_is_refused() -> None:
    with pytest.raises(ClaimsError):
        actor_from_claims(BASE, subject_claim="bpk2", staff_realm=False, trust_staff_claims=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/rooms/1?x=2", "/rooms/1?x=2"),
        ("/", "/"),
        (None, None),
        ("", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example", None),
        ("rooms/1", None),
        ("/a\r\nSet-Cookie: x", None),
        ("/einladung?code=ABC&x=%2F%2F", "/einladung?code=ABC&x=%2F%2F"),
        ("/räume/ä b", "/räume/ä b"),
        ("///evil.example", None),
        ("\\\\evil.example", None),
        ("/\t/evil.example", None),
        ("/\u2028//evil.example", None),
        ("/\x85", None),
        (" /rooms", None),
        ("javascript:alert(1)", None),
        ("/" + "a" * 1_999, "/" + "a" * 1_999),
        ("/" + "a" * 2_000, None),
    ],
)
def test_safe_next(value: str | None, expected: str | None) -> None:
    assert safe_next(value) == expected
