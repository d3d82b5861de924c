"""The same subject from two identity providers: two people, two preferences, two addresses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.identity.devidp import DEV_ISSUER
from app.identity.issuers import assign_legacy_issuers
from rooms.casework.posting import check_post_message
from rooms.kernel.account_tables import AccountAddress
from rooms.kernel.tables import ContactPreference, Notification
from rooms.outbound.notify.addresses import remember_account_address
from rooms.outbound.notify.preferences import check_update_preferences, get_preferences
from rooms.outbound.notify.queue import claim_due
from tests.cast import ERIKA, SABINE
from tests.conftest import make_settings
from tests.notify.conftest import notifications, room_for

pytestmark = pytest.mark.usefixtures("database")

# Another provider hands out Erika's subject to someone else.
NAMESAKE = replace(ERIKA, issuer="https://other-idp.example", email="namesake@other.example")


async def test_each_issuer_keeps_its_own_preferences() -> None:
    assert NAMESAKE.subject == ERIKA.subject and NAMESAKE.issuer != ERIKA.issuer
    await check_update_preferences(
        ERIKA, email="erika.privat@example.org", email_enabled=False, language="en"
    )
    namesake = await get_preferences(NAMESAKE)
    assert (namesake.stored, namesake.email, namesake.email_enabled) == (False, "", True)

    await check_update_preferences(
        NAMESAKE, email="other@other.example", email_enabled=True, language="de"
    )
    mine = await get_preferences(ERIKA)
    assert (mine.email, mine.email_enabled, mine.language) == (
        "erika.privat@example.org",
        False,
        "en",
    )
    assert await ContactPreference.count() == 2


async def test_each_issuer_keeps_its_own_account_address_and_gets_its_own_notice() -> None:
    mine, theirs = await room_for(ERIKA, ""), await room_for(NAMESAKE, "")
    await remember_account_address(ERIKA)  # erika@example.org
    await remember_account_address(NAMESAKE)  # a login at the other provider
    assert await AccountAddress.count() == 2

    await check_post_message(SABINE, mine, "Eine Frage an Erika")
    await check_post_message(SABINE, theirs, "Eine Frage an die Namensvetterin")
    [to_erika] = await notifications(room=mine)
    [to_namesake] = await notifications(room=theirs)
    assert (to_erika["address"], to_erika["recipient_issuer"]) == ("erika@example.org", DEV_ISSUER)
    assert (to_namesake["address"], to_namesake["recipient_issuer"]) == (
        "namesake@other.example",
        NAMESAKE.issuer,
    )


async def test_the_worker_reads_the_preferences_of_the_notices_own_issuer() -> None:
    room_id = await room_for(ERIKA, "erika@example.org")
    await check_post_message(SABINE, room_id, "Eine Frage an Erika")
    # The namesake switches e-mail off after the notice was planned: not Erika's choice.
    await check_update_preferences(NAMESAKE, email="", email_enabled=False, language="de")
    _, due = await claim_due(datetime.now(UTC) + timedelta(seconds=1))
    assert [(d.room_id, d.address) for d in due] == [(room_id, "erika@example.org")]


async def test_older_applicant_rows_get_the_sole_applicant_providers_issuer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    await ContactPreference.insert(
        ContactPreference(realm="citizen", issuer="", subject="old-citizen", updated_at=now),
        ContactPreference(realm="staff", issuer="", subject="old-caseworker", updated_at=now),
    )
    await AccountAddress.insert(
        AccountAddress(realm="business", issuer="", subject="old-org", email="o@example.org")
    )
    await assign_legacy_issuers(make_settings(tmp_path))  # the development IdP alone
    prefs = await ContactPreference.select(ContactPreference.realm, ContactPreference.issuer)
    assert sorted((r["realm"], r["issuer"]) for r in prefs) == [
        ("citizen", DEV_ISSUER),
        ("staff", ""),  # staff are keyed by subject alone, as their participant rows
    ]
    assert await AccountAddress.select(AccountAddress.issuer) == [{"issuer": DEV_ISSUER}]
    assert await Notification.count() == 0
