"""The named cast of users the tests act with (mirrors the development IdP personas)."""

from rooms.actors import Actor, ActorKind, TrustLevel

ISSUER = "http://127.0.0.1:8000/dev-idp"

ERIKA = Actor(
    issuer=ISSUER,
    subject="demo-citizen-erika",
    name="Erika Mustermann",
    kind=ActorKind.citizen,
    trust_level=TrustLevel.substantial,
    email="erika@example.org",
)
JONAS = Actor(
    issuer=ISSUER,
    subject="demo-citizen-jonas",
    name="Jonas Fremd",
    kind=ActorKind.citizen,
    trust_level=TrustLevel.normal,
)
MAX = Actor(
    issuer=ISSUER,
    subject="demo-business-max",
    name="Max Beispiel",
    kind=ActorKind.business,
    trust_level=TrustLevel.substantial,
    organisation="demo-org-beispiel-gmbh",
)
SABINE = Actor(
    issuer=ISSUER,
    subject="demo-staff-sabine",
    name="Sabine Sachbearbeiterin",
    kind=ActorKind.staff,
    trust_level=TrustLevel.substantial,
    authority_slug="demo-stadt",
    roles=frozenset({"caseworker"}),
)
OTTO = Actor(
    issuer=ISSUER,
    subject="demo-staff-otto",
    name="Otto Anderamt",
    kind=ActorKind.staff,
    trust_level=TrustLevel.substantial,
    authority_slug="demo-kreis",
    roles=frozenset({"caseworker"}),
)
ADMIN_WITHOUT_CASEWORK = Actor(
    issuer=ISSUER,
    subject="demo-staff-admin",
    name="Anna Admin",
    kind=ActorKind.staff,
    authority_slug="demo-stadt",
    roles=frozenset({"authority_admin"}),
)
