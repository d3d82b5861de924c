"""Rate limits of the machine API: by client, and failed bearer tokens by address."""

from __future__ import annotations

import uuid

import httpx
import pytest

from app import create_app
from app.settings import RateLimitSettings
from tests import builders
from tests.conftest import make_settings
from tests.servers import in_process, running
from tests.web.test_rate_limits import limited_app, limits

pytestmark = pytest.mark.usefixtures("database")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    body = response.json()
    assert (body["status"], body["title"]) == (429, "Too Many Requests")


async def test_the_api_is_limited_by_client(database, tmp_path) -> None:
    _, token = await builders.client()
    _, other_token = await builders.client()
    async with (
        limited_app(database, tmp_path, api_per_client="2/minute") as app,
        in_process(app, "10.2.0.1") as http,
        in_process(app, "10.2.0.2") as elsewhere,
    ):
        for _ in range(2):
            assert (await http.get("/api/v1/rooms", headers=bearer(token))).status_code == 200
        assert_problem(await http.get("/api/v1/rooms", headers=bearer(token)))
        # POSTs too, before their body is read or their Idempotency-Key claimed.
        posted = await elsewhere.post(
            "/api/v1/rooms",
            json={},
            headers={**bearer(token), "Idempotency-Key": "k-1"},
        )
        assert_problem(posted)
        other = await http.get("/api/v1/rooms", headers=bearer(other_token))
        assert other.status_code == 200


async def test_failed_bearer_tokens_are_limited_by_address(database, tmp_path) -> None:
    _, token = await builders.client()
    async with (
        limited_app(database, tmp_path, bearer_failures_per_address="2/minute") as app,
        in_process(app, "10.3.0.1") as trying,
        in_process(app, "10.3.0.2") as other,
    ):
        wrong = bearer("guessed-" + uuid.uuid4().hex)
        assert (await trying.get("/api/v1/rooms", headers=wrong)).status_code == 401
        assert (await trying.get("/api/v1/rooms")).status_code == 401  # no token at all
        assert_problem(await trying.get("/api/v1/rooms", headers=wrong))
        # Over the limit, the address is refused before a token is looked at.
        assert_problem(await trying.get("/api/v1/rooms", headers=bearer(token)))
        assert (await other.get("/api/v1/rooms", headers=wrong)).status_code == 401
        assert (await other.get("/api/v1/rooms", headers=bearer(token))).status_code == 200


async def test_instances_share_the_counts_in_redis(database, tmp_path) -> None:
    """Two app instances on one Redis: the third request is refused by the other one."""
    _, token = await builders.client()
    rules = limits(api_per_client="2/minute")
    shared = RateLimitSettings(
        **{
            **{f: getattr(rules, f) for f in rules.__struct_fields__},
            "storage": "redis",
            "redis_url": "redis://127.0.0.1:6379/0",
            "key_prefix": f"test-{uuid.uuid4().hex}",
        }
    )
    settings = make_settings(tmp_path, rate_limits=shared)
    one = create_app(settings, engine=database)
    two = create_app(settings, engine=database)
    async with running(one), running(two), in_process(one) as first, in_process(two) as second:
        assert (await first.get("/api/v1/rooms", headers=bearer(token))).status_code == 200
        assert (await second.get("/api/v1/rooms", headers=bearer(token))).status_code == 200
        assert_problem(await first.get("/api/v1/rooms", headers=bearer(token)))
        assert_problem(await second.get("/api/v1/rooms", headers=bearer(token)))
