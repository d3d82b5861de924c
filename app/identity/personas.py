"""Demo personas of the built-in development identity provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rooms.kernel.actors import ActorKind


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    description: str
    kind: ActorKind
    sub: str
    acr: str
    email: str = ""
    extra_claims: dict[str, Any] = field(default_factory=dict)

    def claims(self) -> dict[str, Any]:
        """The identity claims the development IdP puts into the ID token."""
        return {
            "sub": self.sub,
            "name": self.name,
            "email": self.email,
            "acr": self.acr,
            **self.extra_claims,
        }


PERSONAS: tuple[Persona, ...] = (
    Persona(
        id="erika",
        name="Erika Mustermann",
        description="Bürgerin mit BundID (substanziell)",
        kind=ActorKind.citizen,
        sub="demo-citizen-erika",
        acr="substantial",
        email="erika@example.org",
    ),
    Persona(
        id="jonas",
        name="Jonas Fremd",
        description="Bürger mit Benutzername und Passwort (normal)",
        kind=ActorKind.citizen,
        sub="demo-citizen-jonas",
        acr="normal",
        email="jonas@example.org",
    ),
    Persona(
        id="max",
        name="Max Beispiel",
        description="Mitarbeiter der Beispiel GmbH mit Mein Unternehmenskonto (substanziell)",
        kind=ActorKind.business,
        sub="demo-business-max",
        acr="substantial",
        email="max@beispiel-gmbh.example",
        extra_claims={"org_id": "demo-org-beispiel-gmbh", "org_name": "Beispiel GmbH"},
    ),
    Persona(
        id="sabine",
        name="Sabine Sachbearbeiterin",
        description="Sachbearbeiterin der Demo-Stadt (substanziell)",
        kind=ActorKind.staff,
        sub="demo-staff-sabine",
        acr="substantial",
        email="sabine@demo-stadt.example",
        extra_claims={"authority": "demo-stadt", "roles": ["caseworker"]},
    ),
    Persona(
        id="otto",
        name="Otto Anderamt",
        description="Sachbearbeiter des Demo-Kreises (substanziell)",
        kind=ActorKind.staff,
        sub="demo-staff-otto",
        acr="substantial",
        email="otto@demo-kreis.example",
        extra_claims={"authority": "demo-kreis", "roles": ["caseworker"]},
    ),
    Persona(
        id="anna",
        name="Anna Admin",
        description="Administratorin der Demo-Stadt, ohne Sachbearbeitung (substanziell)",
        kind=ActorKind.staff,
        sub="demo-staff-admin",
        acr="substantial",
        email="anna@demo-stadt.example",
        extra_claims={"authority": "demo-stadt", "roles": ["authority_admin"]},
    ),
)

PERSONAS_BY_ID: dict[str, Persona] = {persona.id: persona for persona in PERSONAS}
