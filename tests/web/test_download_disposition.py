"""Every download is an attachment: no query parameter makes the browser render a file.

A file rendered in the portal's origin (a PDF viewer, an image) is content the
uploader chose, shown under the portal's name; so no download is ever ``inline``.
"""

from __future__ import annotations

import re

import pytest

from rooms.kernel.tables import Attachment
from tests import builders
from tests.cast import ERIKA
from tests.login import login
from tests.web.test_uploads import PDF, upload, wait_for_verdict

pytestmark = pytest.mark.usefixtures("database")


async def test_a_pdf_asked_for_inline_is_still_served_as_an_attachment(app, http) -> None:  # type: ignore[no-untyped-def]
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await upload(http, result.room.id, [("Bescheid.pdf", PDF, "application/pdf")])
    assert response.status_code == 303, response.text
    [row] = await Attachment.select()
    assert await wait_for_verdict(row["id"]) == "clean"
    page = await http.get(f"/rooms/{result.room.id}")
    link = re.search(r'href="(/rooms/[^"]+/attachments/[^"]+)"', page.text)
    assert link
    for query in ("?inline=1", "?inline=true", ""):
        download = await http.get(link.group(1) + query)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment;"), query
        assert download.headers["x-content-type-options"] == "nosniff"
