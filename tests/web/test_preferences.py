"""/einstellungen/benachrichtigungen: each person edits only their own preferences."""

from __future__ import annotations

import pytest

from rooms.outbound.notify.preferences import get_preferences
from tests import builders
from tests.cast import ERIKA, JONAS, SABINE
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")

PATH = "/einstellungen/benachrichtigungen"


async def test_anonymous_visitors_are_sent_to_the_login(http) -> None:
    response = await http.get(PATH)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]


async def test_an_applicant_edits_contact_e_mail_switch_and_language(http) -> None:
    await login(http, "erika")
    page = await http.get(PATH)
    assert page.status_code == 200
    assert 'href="/einstellungen/benachrichtigungen" aria-current="page"' in page.text
    assert 'name="digest"' not in page.text  # digests are for staff
    saved = await http.post(
        PATH,
        data={
            "email": "erika.privat@example.org",
            "language": "en",
            "_csrf_token": csrf(http),
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{PATH}?saved=1"
    prefs = await get_preferences(ERIKA)
    assert (prefs.email, prefs.email_enabled, prefs.language) == (
        "erika.privat@example.org",
        False,
        "en",
    )
    page = await http.get(saved.headers["location"])
    assert "Ihre Einstellungen wurden gespeichert." in page.text
    assert 'value="erika.privat@example.org"' in page.text
    assert 'id="email-enabled" name="email_enabled" value="yes">' in page.text  # unchecked
    assert 'id="language-en" name="language" value="en" lang="en" checked' in page.text


async def test_bad_input_re_renders_with_422_and_keeps_it(http) -> None:
    await login(http, "erika")
    await http.get(PATH)
    response = await http.post(
        PATH,
        data={
            "email": "erika-at-example",
            "email_enabled": "yes",
            "language": "de",
            "_csrf_token": csrf(http),
        },
    )
    assert response.status_code == 422
    assert 'value="erika-at-example"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein" in response.text
    assert not (await get_preferences(ERIKA)).stored


async def test_staff_choose_their_digest(app) -> None:
    await builders.authority()  # Sabine works from the authority's network
    async with in_process(app) as http:
        await _staff_choose_their_digest(http)


async def _staff_choose_their_digest(http) -> None:
    await login(http, "sabine")
    page = await http.get(PATH)
    assert page.status_code == 200
    assert 'name="digest" value="daily" checked' in page.text  # the default
    response = await http.post(
        PATH,
        data={
            "email_enabled": "yes",
            "language": "de",
            "digest": "hourly",
            "_csrf_token": csrf(http),
        },
    )
    assert response.status_code == 303
    assert (await get_preferences(SABINE)).digest == "hourly"
    wrong = await http.post(
        PATH,
        data={
            "email_enabled": "yes",
            "language": "de",
            "digest": "weekly",
            "_csrf_token": csrf(http),
        },
    )
    assert wrong.status_code == 422
    assert (await get_preferences(SABINE)).digest == "hourly"


async def test_nobody_can_see_or_change_anyone_elses_preferences(app) -> None:
    async with in_process(app) as erika, in_process(app) as jonas:
        await login(erika, "erika")
        await erika.get(PATH)
        await erika.post(
            PATH,
            data={
                "email": "erika.geheim@example.org",
                "email_enabled": "yes",
                "language": "de",
                "_csrf_token": csrf(erika),
            },
        )
        await login(jonas, "jonas")
        page = await jonas.get(PATH)
        assert "erika.geheim@example.org" not in page.text
        # naming someone else in the form changes nothing but one's own preferences
        response = await jonas.post(
            PATH,
            data={
                "email": "jonas@example.org",
                "email_enabled": "yes",
                "language": "en",
                "subject": ERIKA.subject,
                "realm": "citizen",
                "_csrf_token": csrf(jonas),
            },
        )
        assert response.status_code == 303
    assert (await get_preferences(ERIKA)).email == "erika.geheim@example.org"
    assert (await get_preferences(ERIKA)).language == "de"
    assert (await get_preferences(JONAS)).language == "en"


async def test_the_page_speaks_english(http) -> None:
    await login(http, "erika")
    page = await http.get(PATH, params={"lang": "en"})
    assert '<h1 class="kern-heading-large">Notifications</h1>' in page.text
    assert "Save settings" in page.text
