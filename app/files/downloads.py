"""Serving a stored attachment: the same safe response for people and case stores.

Always with ``attachment`` disposition, never ``inline``: a file the browser renders
in the portal's origin (a PDF viewer, an image, whatever a sniffing browser makes of
it) is content an uploader chose, shown under the authority's name. Saving it first
takes it out of the origin.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from litestar.response import Stream

from app.storage import NotStored, Storage
from rooms.casework.attachments import AttachmentView
from rooms.files.filenames import content_disposition
from rooms.kernel.errors import NotFound

log = logging.getLogger("antragsraum.files")


async def open_attachment(storage: Storage, file: AttachmentView) -> AsyncIterator[bytes]:
    """The file's bytes, streamed; a row whose file is gone answers like a missing one."""
    try:
        return await storage.open(file.storage_key)
    except NotStored:
        log.error("attachment %s is recorded but its file %s is missing", file.id, file.storage_key)
        raise NotFound() from None


def attachment_response(stream: AsyncIterator[bytes], file: AttachmentView) -> Stream:
    """Attachment disposition (RFC 6266 name), ``nosniff``, a sandbox CSP, never cached."""
    return Stream(
        stream,
        media_type=file.mime,
        headers={
            "content-disposition": content_disposition(file.name),
            "content-length": str(file.size),
            "x-content-type-options": "nosniff",
            "content-security-policy": "sandbox; default-src 'none'",
            "cache-control": "private, no-store",
            "cross-origin-resource-policy": "same-origin",
        },
    )
