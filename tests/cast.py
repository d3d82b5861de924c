"""The named cast of users the tests act with: the development IdP's personas."""

from app.identity.claims import actor_from_claims
from app.identity.devidp import DEV_ISSUER
from app.identity.personas import PERSONAS
from rooms.kernel.actors import Actor

ISSUER = DEV_ISSUER
"""The development IdP's, whatever address the app under test is served at."""


def persona(persona_id: str) -> Actor:
    """The Actor a login as this persona produces."""
    [found] = [p for p in PERSONAS if p.id == persona_id]
    return actor_from_claims(
        {**found.claims(), "iss": ISSUER},
        subject_claim="sub",
        staff_realm=False,
        trust_staff_claims=True,
    )


ERIKA = persona("erika")  # citizen, substantial
JONAS = persona("jonas")  # another citizen, normal
MAX = persona("max")  # employee of Beispiel GmbH
SABINE = persona("sabine")  # caseworker of demo-stadt
OTTO = persona("otto")  # caseworker of demo-kreis
ANNA = persona("anna")  # authority admin of demo-stadt, no casework
ADMIN_WITHOUT_CASEWORK = ANNA
