"""The administration area: only an authority's admins reach it, for their own authority."""

from __future__ import annotations

import pytest

from tests import builders
from tests.login import login

pytestmark = pytest.mark.usefixtures("database")


async def test_the_admin_sees_the_administration_of_their_authority(http) -> None:
    await builders.authority(name="Stadt Musterstadt")
    await login(http, "anna")
    page = await http.get("/admin")
    assert page.status_code == 200
    assert "Stadt Musterstadt" in page.text
    assert 'href="/admin"' in page.text  # the navigation offers it
    assert 'href="/inbox"' not in page.text  # no casework, no inbox link


@pytest.mark.parametrize("persona", ["sabine", "erika", "max"])
async def test_everyone_else_gets_the_same_404(http, persona: str) -> None:
    await builders.authority()
    await login(http, persona)
    response = await http.get("/admin")
    assert response.status_code == 404
    assert "Verwaltung" not in response.text.split("<main", 1)[-1].split("</h1>")[0]


async def test_anonymous_visitors_are_sent_to_the_login(http) -> None:
    response = await http.get("/admin")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_an_admin_without_casework_starts_in_the_administration(http) -> None:
    await builders.authority()
    await login(http, "anna")
    start = await http.get("/")
    assert start.status_code == 303
    assert start.headers["location"] == "/admin"
