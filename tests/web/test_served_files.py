"""What the browser may get: only files proven to be their type, never rendered inline.

A file rendered in the portal's origin (a PDF viewer, an image) is content the
uploader chose, shown under the portal's name; so no download is ever ``inline``, and
an upload whose type cannot be proven for the whole file is refused.
"""

from __future__ import annotations

import re

import pytest

from rooms.kernel.tables import Attachment
from tests import builders
from tests.cast import ERIKA
from tests.login import login
from tests.rooms.test_file_structure import HTML, ZIP_END, jpeg, pdf, png
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


@pytest.mark.parametrize(
    ("name", "content", "mime", "found"),
    [
        ("bild.png", png() + HTML, "image/png", "unknown"),
        ("foto.jpg", jpeg() + ZIP_END, "image/jpeg", "unknown"),
        ("antrag.pdf", pdf(insert=HTML, at=9000), "application/pdf", "html"),
    ],
    ids=["png-after-iend", "jpeg-after-eoi", "pdf-html-after-8k"],
)
async def test_what_cannot_be_proven_its_type_is_refused_on_upload(  # type: ignore[no-untyped-def]
    http, name: str, content: bytes, mime: str, found: str
) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await upload(http, result.room.id, [(name, content, mime)])
    assert response.status_code == 422
    assert f"gefunden wurde „{found}“" in response.text
    assert await Attachment.count() == 0
    clean = {"png": png(), "jpg": jpeg(), "pdf": pdf()}[name.rsplit(".", 1)[1]]
    assert (await upload(http, result.room.id, [(name, clean, mime)])).status_code == 303
