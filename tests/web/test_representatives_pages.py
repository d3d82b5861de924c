"""Inviting, redeeming and removing a representative through the pages."""

from __future__ import annotations

import re

import pytest

from tests import builders
from tests.cast import ERIKA
from tests.login import csrf, login
from tests.servers import in_process

pytestmark = pytest.mark.usefixtures("database")


async def test_invite_redeem_act_and_remove(app) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    async with in_process(app) as erika, in_process(app) as jonas:
        await login(erika, "erika")
        await erika.get(room)
        created = await erika.post(
            f"{room}/invitations", data={"label": "Steuerberatung", "_csrf_token": csrf(erika)}
        )
        assert created.status_code == 200
        code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', created.text)
        assert code, created.text

        await login(jonas, "jonas")
        form = await jonas.get("/einladung", params={"code": code.group(1)})
        assert code.group(1) in form.text
        redeemed = await jonas.post(
            "/einladung", data={"code": code.group(1), "_csrf_token": csrf(jonas)}
        )
        assert redeemed.status_code == 303 and redeemed.headers["location"] == room
        await jonas.post(
            f"{room}/messages", data={"body": "Als Vertretung.", "_csrf_token": csrf(jonas)}
        )
        page = await erika.get(room)
        assert "Jonas Fremd</strong> für Erika Mustermann" in page.text
        participant = re.search(r"/representatives/([0-9a-f-]+)/remove", page.text)
        assert participant

        again = await jonas.post(
            "/einladung", data={"code": code.group(1), "_csrf_token": csrf(jonas)}
        )
        assert again.status_code == 422
        assert "unbekannt, schon benutzt oder abgelaufen" in again.text

        removed = await erika.post(
            f"{room}/representatives/{participant.group(1)}/remove",
            data={"_csrf_token": csrf(erika)},
        )
        assert removed.status_code == 303
        assert (await jonas.get(room)).status_code == 404
