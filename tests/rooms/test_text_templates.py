"""Text templates: kept per authority by its admin, checked on save, filled in per room."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rooms.casework.requests import NewItem, check_create_request
from rooms.casework.text_templates import (
    NO_DEADLINE,
    TemplateInvalid,
    admin_template,
    check_create_template,
    check_delete_template,
    check_update_template,
    filled_template,
    templates_of,
)
from rooms.kernel.access import access_template
from rooms.kernel.errors import NotFound
from rooms.kernel.tables import TextTemplate
from tests import builders
from tests.cast import ANNA, ERIKA, OTTO, SABINE

pytestmark = pytest.mark.usefixtures("database")

KREIS_ADMIN = replace(ANNA, subject="kreis-admin", authority_slug="demo-kreis")
BODY = "Guten Tag {antragsteller},\nzu {aktenzeichen} bitten wir bis {frist} um Antwort."


async def test_the_admin_creates_edits_and_deletes_templates_of_her_authority() -> None:
    await builders.authority()
    template_id = await check_create_template(ANNA, "  Rückfrage  ", BODY)
    [view] = await templates_of(await _stadt())
    assert (view.id, view.name, view.body) == (template_id, "Rückfrage", BODY)
    await check_update_template(
        ANNA, template_id, "Rückfrage (kurz)", "Zu {case_ref}: bitte melden."
    )
    assert (await admin_template(ANNA, template_id)).body == "Zu {case_ref}: bitte melden."
    with pytest.raises(TemplateInvalid) as taken:
        await check_create_template(ANNA, "Rückfrage (kurz)", "Text")
    assert taken.value.errors == {"name": "taken"}
    await check_delete_template(ANNA, template_id)
    assert await TextTemplate.count() == 0


async def _stadt():  # type: ignore[no-untyped-def]
    from rooms.kernel.authorities import find_authority

    found = await find_authority("demo-stadt")
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("body", "error", "placeholder"),
    [
        ("Hallo {name}", "unknown_placeholder", "name"),
        ("Bis {Frist} und {datum}", "unknown_placeholder", "datum"),
        ("Hallo {}", "unknown_placeholder", ""),
        ("Hallo {antragsteller", "unbalanced", ""),
        ("Hallo antragsteller}", "unbalanced", ""),
        ("Hallo {{antragsteller}}", "unbalanced", ""),
        ("   ", "empty", ""),
    ],
)
async def test_unknown_placeholders_and_unbalanced_braces_are_refused_on_save(
    body: str, error: str, placeholder: str
) -> None:
    await builders.authority()
    with pytest.raises(TemplateInvalid) as refused:
        await check_create_template(ANNA, "Vorlage", body)
    assert refused.value.errors["body"] == error
    assert refused.value.placeholder == placeholder
    assert await TextTemplate.count() == 0


@pytest.mark.parametrize("who", [SABINE, ERIKA, OTTO, KREIS_ADMIN])
async def test_nobody_else_manages_the_authoritys_templates(who) -> None:  # type: ignore[no-untyped-def]
    await builders.authority()
    await builders.authority("demo-kreis", "Landkreis Demo")
    template_id = await check_create_template(ANNA, "Rückfrage", BODY)
    with pytest.raises(NotFound):
        await admin_template(who, template_id)
    with pytest.raises(NotFound):
        await check_update_template(who, template_id, "Geändert", "Geändert")
    with pytest.raises(NotFound):
        await check_delete_template(who, template_id)
    with pytest.raises(NotFound):
        await access_template(who, template_id)
    assert (await admin_template(ANNA, template_id)).name == "Rückfrage"


async def test_the_template_gate_hands_out_the_admins_authority_and_the_template() -> None:
    await builders.authority()
    await builders.authority("demo-kreis", "Landkreis Demo")
    template_id = await check_create_template(ANNA, "Rückfrage", BODY)
    admin, view = await access_template(ANNA, template_id)
    assert (admin.authority_id, admin.authority_slug) == (await _stadt(), "demo-stadt")
    assert (view.id, view.name, view.body) == (template_id, "Rückfrage", BODY)
    kreis_template = await check_create_template(KREIS_ADMIN, "Kreis", "Hallo {applicant}")
    for missing in (kreis_template, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(NotFound):
            await access_template(ANNA, missing)


async def test_a_caseworker_gets_the_template_filled_for_the_room() -> None:
    result = await builders.room(ERIKA, case_ref="VG-2026-777")
    room = result.room.id
    template_id = await check_create_template(ANNA, "Rückfrage", BODY)
    text = await filled_template(SABINE, room, template_id)
    assert text == (
        f"Guten Tag Erika Mustermann,\nzu VG-2026-777 bitten wir bis {NO_DEADLINE} um Antwort."
    )
    deadline = datetime.now(UTC).date() + timedelta(days=14)
    await check_create_request(SABINE, room, "Bitte", [NewItem("Nachweis")], deadline)
    await check_create_request(
        SABINE, room, "Bitte", [NewItem("Später")], deadline + timedelta(days=5)
    )
    text = await filled_template(SABINE, room, template_id)
    assert deadline.strftime("%d.%m.%Y") in text
    # the applicant, other authorities, and another authority's template: not found
    for who in (ERIKA, OTTO):
        with pytest.raises(NotFound):
            await filled_template(who, room, template_id)
    await builders.authority("demo-kreis", "Landkreis Demo")
    kreis_template = await check_create_template(KREIS_ADMIN, "Kreis", "Hallo {applicant}")
    with pytest.raises(NotFound):
        await filled_template(SABINE, room, kreis_template)


async def test_a_name_lost_to_a_concurrent_save_is_taken_not_a_server_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Both saves passed the name check; the unique index refuses the second insert."""
    import rooms.casework.text_templates as module

    await builders.authority()
    await check_create_template(ANNA, "Nachforderung", "Bitte bis {frist}.")
    checks = iter([False])  # the second save's check ran before the first committed

    real = module._name_taken

    async def first_check_misses(authority_id, name, but=None):  # type: ignore[no-untyped-def]
        missed = next(checks, True)
        return missed and await real(authority_id, name, but)

    monkeypatch.setattr(module, "_name_taken", first_check_misses)
    with pytest.raises(TemplateInvalid) as refused:
        await check_create_template(ANNA, " Nachforderung ", "Anderer Text.")
    assert refused.value.errors == {"name": "taken"}
    assert await TextTemplate.count() == 1
