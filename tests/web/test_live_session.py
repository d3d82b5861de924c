"""A live socket ends with its session: idle timeout, absolute timeout, logout (4401).

Served apps with timeouts of about a second; each test waits for the close with a
deadline rather than for a fixed time.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests import builders
from tests.backends import Services
from tests.cast import ERIKA
from tests.conftest import serving
from tests.login import csrf, login
from tests.web.test_live import open_socket, receive_items

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.on_both_backends]

SECOND_IN_MINUTES = 1 / 60
SECOND_IN_HOURS = 1 / 3600
TIMEOUTS: dict[str, dict[str, float]] = {
    "idle": {"idle_timeout_minutes": 1.5 * SECOND_IN_MINUTES},
    "absolute": {"absolute_timeout_hours": 3 * SECOND_IN_HOURS},
    "logout": {},
}


@pytest.mark.parametrize("ending", list(TIMEOUTS))
async def test_a_socket_closes_when_its_session_ends(
    database, tmp_path, services: Services, ending: str
) -> None:
    result = await builders.room(ERIKA)
    page = f"/rooms/{result.room.id}"
    async with (
        serving(
            database, tmp_path, sessions=services.session_settings(**TIMEOUTS[ending])
        ) as server,
        httpx.AsyncClient(base_url=server) as erika,
        httpx.AsyncClient(base_url=server) as sabine,
    ):
        await login(sabine, "sabine")
        await sabine.get(page)
        await login(erika, "erika")
        assert (await erika.get(page)).status_code == 200
        async with await open_socket(server, erika, result.room.id, after=0) as socket:
            assert await receive_items(socket, 1) == [1]  # open and delivering
            if ending == "logout":
                await erika.post("/logout", data={"_csrf_token": csrf(erika)})
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(10):
                    while True:
                        if ending == "absolute":  # however active the session is
                            assert (await erika.get("/antraege")).status_code in (200, 303)
                        try:
                            frame = await asyncio.wait_for(socket.recv(), 0.2)
                        except TimeoutError:
                            continue
                        pytest.fail(f"nothing was posted, yet the socket sent: {frame}")
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        # HTTP agrees: the session is gone.
        gone = await erika.get(page)
        assert gone.status_code in (302, 303) and "/login" in gone.headers["location"]
