"""Floods of refused tokens are audited as counts: one row per action, address and window."""

from __future__ import annotations

import asyncio
import time

import pytest

from app import create_app
from app.refusal_audit import STATE_KEY, RefusalCounts
from rooms.kernel.tables import AuditEvent
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings
from tests.login import csrf, login
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

START = 1_800_000_000.0  # a window's start (a multiple of 60 seconds)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def with_clock(application) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    counts: RefusalCounts = application.state[STATE_KEY]
    counts.clock = clock
    return clock


async def rows(action: str) -> list[dict]:  # type: ignore[type-arg]
    found = await AuditEvent.select().where(AuditEvent.action == action).output(load_json=True)
    return sorted(found, key=lambda r: (r["detail"]["window_start"], r["source"]))


async def until_rows(action: str, count: int) -> list[dict]:  # type: ignore[type-arg]
    async with asyncio.timeout(5):
        while True:
            found = await rows(action)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)


async def test_a_flood_of_bad_tokens_gives_one_row_per_address_and_window(
    database, tmp_path
) -> None:
    application = create_app(make_settings(tmp_path), engine=database)
    clock = with_clock(application)
    async with running(application):
        async with (
            in_process(application, "198.51.100.1") as one,
            in_process(application, "198.51.100.2") as two,
        ):
            started = time.perf_counter()
            for i in range(1000):
                client = one if i % 5 else two  # 800 from one, 200 from the other
                clock.now = START + i * 0.05  # all within the first minute
                response = await client.get(
                    "/api/v1/rooms", headers={"Authorization": f"Bearer wrong-{i}"}
                )
                assert response.status_code == 401
            elapsed = time.perf_counter() - started
            assert await rows("api_token_refused") == []  # the window is still open
            clock.now = START + 61  # the next window: the first one is written now
            await one.get("/api/v1/rooms", headers={"Authorization": "Bearer wrong"})
            first = await until_rows("api_token_refused", 2)
        assert [(r["source"], r["detail"]["count"]) for r in first] == [
            ("198.51.100.1", 800),
            ("198.51.100.2", 200),
        ]
        assert first[0]["outcome"] == "refused" and first[0]["actor_kind"] == "anonymous"
        assert first[0]["detail"]["first_seen"].startswith("2027-01-15T08:00:00.05")
        assert first[0]["detail"]["last_seen"].startswith("2027-01-15T08:00:49.95")
    # Shutdown writes the window still open.
    written = await rows("api_token_refused")
    assert [(r["source"], r["detail"]["count"]) for r in written] == [
        ("198.51.100.1", 800),
        ("198.51.100.2", 200),
        ("198.51.100.1", 1),
    ]
    print(f"1,000 bad tokens in {elapsed:.2f} s -> {len(written)} audit rows")


async def test_csrf_refusals_are_counted_and_written_on_shutdown(database, tmp_path) -> None:
    result = await builders.room(ERIKA)
    room = f"/rooms/{result.room.id}"
    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application), in_process(application, "192.0.2.44") as browser:
        await login(browser, "erika")
        await browser.get(room)
        for _ in range(3):
            refused = await browser.post(
                f"{room}/messages", data={"body": "Hallo", "_csrf_token": "forged"}
            )
            assert refused.status_code == 403
        upload = await browser.post(
            f"{room}/uploads",
            headers={"x-csrftoken": csrf(browser) + "x"},
            files=[("file", ("a.pdf", b"%PDF-1.4\n", "application/pdf"))],
        )
        assert upload.status_code == 403
        assert await rows("csrf_refused") == []
    [row] = await rows("csrf_refused")
    assert (row["source"], row["detail"]["count"]) == ("192.0.2.44", 4)
