"""CSRF: every state-changing route outside the machine API refuses a request without
the token, generated from the route table so that a new route is covered at once."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.routes import HTTPRoute

from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")

# Routes that are not protected by the CSRF token, each for a reason.
EXEMPT = {
    "/dev-idp/token": "called by the relying party's server, authenticated by client secret",
    "/auth/backchannel-logout": "called by the identity provider's server with a signed token",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def state_changing_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/api/"):
            continue
        for method in sorted(set(route.methods) & UNSAFE):
            if route.path not in EXEMPT:
                found.append((method, route.path))
    return found


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def test_every_state_changing_route_needs_the_token(app, http) -> None:
    routes = state_changing_routes(app)
    assert ("POST", "/rooms/{room_id:str}/messages") in routes  # the inventory works
    await login(http, "erika")
    for method, path in routes:
        response = await http.request(method, fill(path), data={"body": "x"})
        assert response.status_code == 403, f"{method} {path} accepted a request without token"
        wrong = await http.request(
            method, fill(path), data={"body": "x"}, headers={"x-csrftoken": "forged"}
        )
        assert wrong.status_code == 403, f"{method} {path} accepted a forged token"


async def test_the_token_is_accepted_as_header_and_as_form_field(app, http) -> None:
    await login(http, "erika")
    await http.get("/antraege")
    room = f"/rooms/{uuid.uuid4()}/messages"
    by_header = await http.post(room, data={"body": "x"}, headers={"x-csrftoken": csrf(http)})
    by_field = await http.post(room, data={"body": "x", "_csrf_token": csrf(http)})
    assert by_header.status_code == by_field.status_code == 404  # past CSRF, at the gate
