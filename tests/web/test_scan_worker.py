"""The scan worker fails closed while clamd is away and catches up when it is back."""

from __future__ import annotations

import asyncio

import pytest

from app import create_app
from app.settings import ScanningSettings
from rooms.kernel.tables import Attachment
from tests import builders
from tests.cast import ERIKA
from tests.conftest import make_settings
from tests.login import csrf, login
from tests.servers import in_process, running

pytestmark = pytest.mark.usefixtures("database")

PDF = b"%PDF-1.4\n%%EOF\n"


async def state_of(attachment_id: object) -> str:
    row = (
        await Attachment.select(Attachment.scan_state).where(Attachment.id == attachment_id).first()
    )
    assert row is not None
    return str(row["scan_state"])


async def test_no_clamd_means_quarantine_and_the_next_scanner_catches_up(
    database, tmp_path
) -> None:
    result = await builders.room(ERIKA)
    away = ScanningSettings(clamd_address=f"unix:{tmp_path}/no-clamd.sock", poll_seconds=0.1)
    without = create_app(make_settings(tmp_path, scanning=away), engine=database)
    async with running(without), in_process(without) as http:
        await login(http, "erika")
        await http.get(f"/rooms/{result.room.id}")
        response = await http.post(
            f"/rooms/{result.room.id}/uploads",
            data={"_csrf_token": csrf(http)},
            files=[("file", ("a.pdf", PDF, "application/pdf"))],
        )
        assert response.status_code == 303
        [row] = await Attachment.select(Attachment.id)
        await asyncio.sleep(0.5)  # several scan rounds against the missing clamd
        assert await state_of(row["id"]) == "pending"
        blocked = await http.get(f"/rooms/{result.room.id}/attachments/{row['id']}")
        assert blocked.status_code == 409

    back = ScanningSettings(poll_seconds=0.1)  # the development clamd
    with_clamd = create_app(make_settings(tmp_path, scanning=back), engine=database)
    async with running(with_clamd):
        async with asyncio.timeout(10):
            while await state_of(row["id"]) == "pending":  # noqa: ASYNC110 - polls the database
                await asyncio.sleep(0.05)
    assert await state_of(row["id"]) == "clean"


async def test_start_up_sweeps_temporary_files_a_crash_left(database, tmp_path) -> None:
    leftovers = tmp_path / "var" / "tmp" / "uploads"
    leftovers.mkdir(parents=True)
    (leftovers / "upload-crashed").write_bytes(b"half a file")
    application = create_app(make_settings(tmp_path), engine=database)
    async with running(application):
        assert list(leftovers.iterdir()) == []
