"""An applicant is (issuer, subject): the same subject from another provider is a stranger."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.identity.issuers import assign_legacy_issuers
from app.settings import IdentitySettings, ProviderSettings
from rooms.casestore.intake import check_create_room
from rooms.casework.listings import applications_view
from rooms.casework.representatives import check_create_invitation, check_redeem_invitation
from rooms.kernel.access import access_room
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.tables import Participant
from tests import builders
from tests.cast import ERIKA, ISSUER, JONAS
from tests.conftest import make_settings

pytestmark = pytest.mark.usefixtures("database")

OTHER = "https://login.other-land.example"
ERIKA_ELSEWHERE = replace(ERIKA, issuer=OTHER)  # the same subject, another provider


async def test_the_same_subject_from_another_issuer_never_sees_the_room() -> None:
    mine = (await builders.room(ERIKA)).room.id
    theirs = (await builders.room(ERIKA_ELSEWHERE)).room.id
    assert (await access_room(ERIKA, mine)).room.id == mine
    assert (await access_room(ERIKA_ELSEWHERE, theirs)).room.id == theirs
    with pytest.raises(NotFound):
        await access_room(ERIKA_ELSEWHERE, mine)
    with pytest.raises(NotFound):
        await access_room(ERIKA, theirs)

    def listed(view: Any) -> set[object]:
        return {r.id for r in view.now + view.rest}

    assert listed(await applications_view(ERIKA)) == {mine}
    assert listed(await applications_view(ERIKA_ELSEWHERE)) == {theirs}


async def test_a_representative_is_bound_to_the_provider_they_redeemed_with() -> None:
    room = (await builders.room(ERIKA)).room.id
    await check_redeem_invitation(JONAS, (await check_create_invitation(ERIKA, room)).code)
    assert (await access_room(JONAS, room)).representative
    with pytest.raises(NotFound):
        await access_room(replace(JONAS, issuer=OTHER), room)


async def test_intake_needs_the_issuer() -> None:
    machine, _ = await builders.client()
    new = builders.new_room(ERIKA)
    with pytest.raises(Invalid) as refused:
        await check_create_room(machine, replace(new, applicant=replace(new.applicant, issuer="")))
    assert refused.value.errors == {"applicant.issuer": "invalid"}


async def test_older_rows_get_the_sole_applicant_provider_and_otherwise_match_nobody(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    room = (await builders.room(ERIKA)).room.id
    await Participant.update({Participant.issuer: ""}, force=True)  # as the migration left it
    with pytest.raises(NotFound):
        await access_room(ERIKA, room)

    several = IdentitySettings(
        providers=[ProviderSettings(id="other", label="Other", issuer=OTHER, client_id="c")]
    )
    await assign_legacy_issuers(make_settings(tmp_path, identity=several))
    with pytest.raises(NotFound):  # two applicant providers: nothing assumed
        await access_room(ERIKA, room)

    await assign_legacy_issuers(make_settings(tmp_path))  # the development IdP only
    assert (await access_room(ERIKA, room)).room.id == room
    assert await Participant.count().where(Participant.issuer == ISSUER) == 1
