"""Who acts: an identity resolved from a login session or a machine credential."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from uuid import UUID


class ActorKind(StrEnum):
    citizen = "citizen"
    business = "business"
    staff = "staff"


class TrustLevel(IntEnum):
    """Level of assurance of a login (eIDAS low/substantial/high map onto it)."""

    normal = 1
    substantial = 2
    high = 3

    @classmethod
    def parse(cls, value: str) -> TrustLevel:
        return cls[value]


class StaffRole(StrEnum):
    caseworker = "caseworker"
    team_lead = "team_lead"
    authority_admin = "authority_admin"


@dataclass(frozen=True)
class Actor:
    issuer: str
    subject: str
    name: str
    kind: ActorKind
    trust_level: TrustLevel = TrustLevel.normal
    email: str = ""
    organisation: str | None = None
    """The organisation's identifier, for business accounts."""
    authority_slug: str | None = None
    """The authority a staff member works for."""
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.kind is ActorKind.staff

    @property
    def is_caseworker(self) -> bool:
        return self.is_staff and StaffRole.caseworker.value in self.roles

    @property
    def applicant_subject(self) -> str:
        """The subject under which this actor's rooms are registered at intake."""
        if self.kind is ActorKind.business and self.organisation:
            return self.organisation
        return self.subject

    @property
    def pseudonym(self) -> str:
        """A stable, non-reversible handle for audit events."""
        digest = hashlib.sha256(f"{self.issuer}\x00{self.subject}".encode()).hexdigest()
        return digest[:32]


# What a credential may be allowed to do.
SCOPES = {
    "rooms:read": "read rooms, their timelines and decisions",
    "rooms:write": "create rooms, post messages and decisions, change status, close",
    "events:read": "read the events feed",
}
DEFAULT_SCOPES = tuple(SCOPES)


@dataclass(frozen=True)
class MachineClient:
    id: UUID
    name: str
    authority_id: UUID
    authority_slug: str
    authority_name: str
    scopes: frozenset[str] = frozenset(DEFAULT_SCOPES)

    @property
    def audit_name(self) -> str:
        return f"client:{self.id}"


Principal = Actor | MachineClient
"""Whoever acts: a person logged in, or a case store's credential."""
