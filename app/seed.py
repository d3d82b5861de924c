"""Demo data for the embedded default, so the first page a newcomer sees is not empty."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from app.identity.devidp import DEV_ISSUER
from app.settings import Settings
from rooms.casestore.intake import Applicant, NewRoom, check_create_room
from rooms.casework.text_templates import validate as validate_template
from rooms.kernel.actors import MachineClient, TrustLevel
from rooms.kernel.authorities import do_create_authority, find_authority
from rooms.kernel.tables import TextTemplate
from rooms.kernel.vocabulary import ApplicantKind

DEMO_AUTHORITIES = [
    ("demo-stadt", "Stadt Musterstadt – Bürgeramt", "Stadt"),
    ("demo-kreis", "Landkreis Beispielkreis – Ordnungsamt", "Kreis"),
]
# Demo staff work from this machine only.
LOOPBACK = ["127.0.0.0/8", "::1/128"]

DEMO_ROOMS = [
    NewRoom(
        case_ref="WG-2026-000042",
        title="Antrag auf Wohngeld",
        applicant=Applicant("demo-citizen-erika", ApplicantKind.person, "Erika Mustermann"),
        min_trust_level=TrustLevel.normal,
        message=(
            "Guten Tag Frau Mustermann,\n\nvielen Dank für Ihren Antrag. Bitte teilen Sie uns "
            "mit, seit wann Sie in der Wohnung in der Musterstraße 1 wohnen.\n\n"
            "Mit freundlichen Grüßen\nIhr Bürgeramt"
        ),
    ),
    NewRoom(
        case_ref="GW-2026-000007",
        title="Gewerbeanmeldung Beispiel GmbH",
        applicant=Applicant("demo-org-beispiel-gmbh", ApplicantKind.organisation, "Beispiel GmbH"),
        message="Bitte bestätigen Sie die Anschrift der Betriebsstätte.",
    ),
]


DEMO_TEMPLATES = [
    (
        "Unterlagen nachreichen",
        "Guten Tag {antragsteller},\n\nfür Ihren Antrag {aktenzeichen} fehlen uns noch "
        "Unterlagen. Bitte reichen Sie sie bis zum {frist} über diesen Antragsraum ein.\n\n"
        "Mit freundlichen Grüßen\nIhr Bürgeramt",
    ),
    (
        "Eingangsbestätigung",
        "Guten Tag {antragsteller},\n\nIhr Antrag {aktenzeichen} ist bei uns eingegangen "
        "und wird bearbeitet.\n\nMit freundlichen Grüßen\nIhr Bürgeramt",
    ),
]


async def _seed_templates(authority_id: UUID) -> None:
    for name, body in DEMO_TEMPLATES:
        clean_name, text = validate_template(name, body)
        taken = await TextTemplate.exists().where(
            (TextTemplate.authority == authority_id) & (TextTemplate.name == clean_name)
        )
        if not taken:
            await TextTemplate.insert(
                TextTemplate(authority=authority_id, name=clean_name, body=text)
            )


async def seed_demo(settings: Settings) -> None:
    """Idempotent: running it twice changes nothing."""
    for slug, name, kind in DEMO_AUTHORITIES:
        if await find_authority(slug) is None:
            await do_create_authority(slug, name, kind, allowed_networks=LOOPBACK)
    authority_id = await find_authority("demo-stadt")
    assert authority_id is not None
    # The seed acts as the authority's case store would, without minting a credential.
    machine = MachineClient(
        id=UUID(int=0),
        name="Demo-Daten",
        authority_id=authority_id,
        authority_slug="demo-stadt",
        authority_name=DEMO_AUTHORITIES[0][1],
    )
    # The demo applicants are personas of the development IdP.
    for new in DEMO_ROOMS:
        new = replace(new, applicant=replace(new.applicant, issuer=DEV_ISSUER))
        await check_create_room(machine, new, max_length=settings.messages.max_length)
    await _seed_templates(authority_id)
