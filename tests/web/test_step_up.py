"""A room that requires more assurance than the login has: explain and offer step-up."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from rooms.kernel.actors import TrustLevel
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA
from tests.login import login

pytestmark = pytest.mark.usefixtures("database")


async def test_weaker_login_is_explained_and_sent_back_asking_for_more(http) -> None:
    result = await builders.room(ERIKA, min_trust_level=TrustLevel.high, title="Schutzbedürftig")
    await login(http, "erika")  # substantial
    page = await http.get(f"/rooms/{result.room.id}")
    assert page.status_code == 403
    assert "Höheres Vertrauensniveau erforderlich" in page.text
    assert "„hoch“" in page.text
    assert "Schutzbedürftig" not in page.text  # nothing of the room before the step-up
    link = re.search(r'id="step-up" href="([^"]+)"', page.text)
    assert link, page.text
    target = urlsplit(html.unescape(link.group(1)))
    assert target.path == "/login/dev"
    assert parse_qs(target.query) == {"acr": ["high"], "next": [f"/rooms/{result.room.id}"]}

    start = await http.get(html.unescape(link.group(1)))
    assert start.status_code == 303
    assert parse_qs(urlsplit(start.headers["location"]).query)["acr_values"] == ["high"]

    denied = (
        await AuditEvent.select().where(AuditEvent.action == "access_denied").output(load_json=True)
    )
    assert [(row["outcome"], row["detail"]["reason"]) for row in denied] == [
        ("refused", "trust_level")
    ]


async def test_the_step_up_returns_to_the_page_with_its_query(http) -> None:
    result = await builders.room(ERIKA, min_trust_level=TrustLevel.high)
    await login(http, "erika")
    page = await http.get(f"/rooms/{result.room.id}", params={"a": "1", "b": "x&y"})
    link = re.search(r'id="step-up" href="([^"]+)"', page.text)
    assert link, page.text
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    assert query == {"acr": ["high"], "next": [f"/rooms/{result.room.id}?a=1&b=x%26y"]}
