"""Rate limits of the pages: the N+1st request gets 429 with Retry-After, others go on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app import create_app
from app.settings import RateLimitSettings
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings, serving
from tests.login import csrf, login
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GENEROUS = "1000/minute"


def limits(**rules: str) -> RateLimitSettings:
    """Small limits for the rules under test, generous ones for the rest (logins …)."""
    every = {name: GENEROUS for name in RateLimitSettings.__struct_fields__ if "_per_" in name}
    return RateLimitSettings(**{**every, **rules})


@asynccontextmanager
async def limited_app(database: Any, tmp_path: Any, **rules: str) -> AsyncIterator[Any]:
    application = create_app(make_settings(tmp_path, rate_limits=limits(**rules)), engine=database)
    async with running(application):
        yield application


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "Zu viele Anfragen" in response.text
    assert "Bitte versuchen Sie es in 1 Minute noch einmal." in response.text


async def test_login_starts_and_callbacks_are_limited_by_address(database, tmp_path) -> None:
    """Through uvicorn: the address is the socket's own (127.0.0.2 against 127.0.0.3)."""
    rules = limits(login_per_address="3/minute")
    async with serving(database, tmp_path, rate_limits=rules) as base_url:

        def client(local: str) -> httpx.AsyncClient:
            transport = httpx.AsyncHTTPTransport(local_address=local)
            return httpx.AsyncClient(transport=transport, base_url=base_url)

        async with client("127.0.0.2") as flooding, client("127.0.0.3") as other:
            assert (await flooding.get("/login/dev")).status_code == 303
            assert (await flooding.get("/auth/callback?state=x")).status_code == 400
            assert (await flooding.get("/login/dev")).status_code == 303
            assert_limited(await flooding.get("/auth/callback?state=x"))
            assert_limited(await flooding.get("/login/dev"))
            assert (await other.get("/login/dev")).status_code == 303
            english = await flooding.get("/login/dev?lang=en")
            assert english.status_code == 429 and "Too many requests" in english.text


async def redeem(client: httpx.AsyncClient, code: str = "WRONG-CODE") -> httpx.Response:
    return await client.post("/einladung", data={"code": code, "_csrf_token": csrf(client)})


async def logged_in(client: httpx.AsyncClient, persona: str) -> httpx.AsyncClient:
    await login(client, persona)
    await client.get("/einladung")  # the CSRF cookie
    return client


async def test_redeeming_is_limited_by_account(database, tmp_path) -> None:
    async with (
        limited_app(database, tmp_path, redeem_per_account="2/minute") as app,
        in_process(app, "10.1.0.1") as jonas,
        in_process(app, "10.1.0.2") as jonas_elsewhere,
        in_process(app, "10.1.0.1") as erika,
    ):
        await logged_in(jonas, "jonas")
        await logged_in(jonas_elsewhere, "jonas")
        await logged_in(erika, "erika")
        assert (await redeem(jonas)).status_code == 422
        assert (await redeem(jonas)).status_code == 422
        assert_limited(await redeem(jonas))
        assert_limited(await redeem(jonas_elsewhere))  # the same account
        assert (await redeem(erika)).status_code == 422  # the same address


async def test_redeeming_is_limited_by_address(database, tmp_path) -> None:
    async with (
        limited_app(database, tmp_path, redeem_per_address="2/minute") as app,
        in_process(app, "10.1.0.1") as jonas,
        in_process(app, "10.1.0.1") as erika,
        in_process(app, "10.1.0.2") as erika_elsewhere,
    ):
        await logged_in(jonas, "jonas")
        await logged_in(erika, "erika")
        await logged_in(erika_elsewhere, "erika")
        assert (await redeem(jonas)).status_code == 422
        assert (await redeem(jonas)).status_code == 422
        assert_limited(await redeem(erika))  # another account, the same address
        assert (await redeem(erika_elsewhere)).status_code == 422


async def post(client: httpx.AsyncClient, room_id: object) -> httpx.Response:
    return await client.post(
        f"/rooms/{room_id}/messages", data={"body": "Hallo", "_csrf_token": csrf(client)}
    )


async def upload(client: httpx.AsyncClient, room_id: object) -> httpx.Response:
    return await client.post(
        f"/rooms/{room_id}/uploads",
        data={"_csrf_token": csrf(client)},
        files=[("file", ("Nachweis.pdf", PDF, "application/pdf"))],
    )


async def in_room(client: httpx.AsyncClient, persona: str, *room_ids: object) -> None:
    await login(client, persona)
    for room_id in room_ids:
        assert (await client.get(f"/rooms/{room_id}")).status_code == 200


@pytest.mark.parametrize("send", [post, upload], ids=["messages", "uploads"])
async def test_posts_are_limited_by_person(database, tmp_path, send) -> None:
    rule = f"{send.__name__.replace('post', 'messages').replace('upload', 'uploads')}_per_person"
    room = (await builders.room(ERIKA)).room.id
    async with (
        limited_app(database, tmp_path, **{rule: "2/minute"}) as app,
        in_process(app) as erika,
        in_process(app) as sabine,
    ):
        await in_room(erika, "erika", room)
        await in_room(sabine, "sabine", room)
        assert (await send(erika, room)).status_code == 303
        assert (await send(erika, room)).status_code == 303
        assert_limited(await send(erika, room))
        if send is post:  # uploads are the applicant side's
            assert (await send(sabine, room)).status_code == 303


@pytest.mark.parametrize("send", [post, upload], ids=["messages", "uploads"])
async def test_posts_are_limited_by_room(database, tmp_path, send) -> None:
    rule = f"{send.__name__.replace('post', 'messages').replace('upload', 'uploads')}_per_room"
    room = (await builders.room(ERIKA)).room.id
    other_room = (await builders.room(ERIKA, case_ref="AZ-2")).room.id
    async with (
        limited_app(database, tmp_path, **{rule: "2/minute"}) as app,
        in_process(app) as erika,
    ):
        await in_room(erika, "erika", room, other_room)
        assert (await send(erika, room)).status_code == 303
        assert (await send(erika, room)).status_code == 303
        assert_limited(await send(erika, room))
        assert (await send(erika, other_room)).status_code == 303
