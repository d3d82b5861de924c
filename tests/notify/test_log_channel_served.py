"""The embedded default as `make run` starts it: a caseworker posts, the mail is in the log.

The real command (`antragsraum serve`: uvicorn's logging, the app's lifespan workers)
in a process of its own, on a fresh SQLite database with the demo data, so that what
an operator sees on the console is what is checked, not a handler added by the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.login import csrf, login
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path(sys.executable).with_name("antragsraum")
SECRET = "Bitte senden Sie uns Ihre Steuer-ID 12 345 678 901"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ANTRAGSRAUM_CONFIG": str(ROOT / "litestar.toml"),
        "ANTRAGSRAUM_APP__BASE_URL": base_url,
        "ANTRAGSRAUM_APP__PORT": str(port),
        "ANTRAGSRAUM_NOTIFICATIONS__POLL_SECONDS": "0.1",
    }
    # `make run`'s first two steps in one interpreter (each start costs a second or two)
    prepare = (
        "from app.cli import main\n"
        "for step in ('migrate', 'seed'): main([step], standalone_mode=False)"
    )
    subprocess.run(
        [sys.executable, "-c", prepare], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    output = tmp_path / "serve.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [COMMAND, "serve"], cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield base_url, output
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _until_up(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client, asyncio.timeout(20):
        while True:
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def test_a_caseworkers_message_appears_in_the_log_without_its_content(served) -> None:
    base_url, output = served
    await _until_up(base_url)
    async with httpx.AsyncClient(base_url=base_url) as erika:
        await login(erika, "erika")
        mine = await erika.get("/antraege")
        room = re.search(r'href="(/rooms/[0-9a-f-]{36})"', mine.text)
        assert room, mine.text
    async with httpx.AsyncClient(base_url=base_url) as sabine:
        await login(sabine, "sabine")
        await sabine.get(room[1])
        posted = await sabine.post(
            f"{room[1]}/messages", data={"body": SECRET, "_csrf_token": csrf(sabine)}
        )
        assert posted.status_code == 303, posted.text
    wanted = "notification (not sent, channel 'log') to erika@example.org"
    async with asyncio.timeout(10):
        while wanted not in (logged := output.read_text()):  # noqa: ASYNC110 - a poll
            await asyncio.sleep(0.05)
    assert "Neue Nachricht zu Ihrem Antrag" in logged
    assert f"{base_url}{room[1]}" in logged
    assert "Steuer-ID" not in logged and "12 345 678 901" not in logged


async def test_the_access_log_keeps_no_login_codes_states_or_tokens(served) -> None:
    """The served command's access log (uvicorn's, on its console) redacts them."""
    base_url, output = served
    await _until_up(base_url)
    secrets_sent = ("LOGINCODE4711", "LOGINSTATE0815", "CSRFTOKEN0042")
    async with httpx.AsyncClient(base_url=base_url) as client:
        await client.get(f"/auth/callback?code={secrets_sent[0]}&state={secrets_sent[1]}")
        await client.get(f"/rooms/x/uploads?csrf={secrets_sent[2]}")
        await client.get("/healthz?marker=END")
    async with asyncio.timeout(10):
        while "marker=END" not in output.read_text(errors="replace"):  # noqa: ASYNC110 - a poll
            await asyncio.sleep(0.05)
    log = output.read_text(errors="replace")
    assert "/auth/callback?code=[redacted]&state=[redacted]" in log
    assert not [s for s in secrets_sent if s in log]
