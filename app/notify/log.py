"""The embedded default: e-mails are written to the log instead of being sent.

Notices are content-free (authority, case reference, what is needed, deadline, link),
so the log holds nothing of a room's messages.
"""

from __future__ import annotations

import logging

from app.notify.channels import Notice

log = logging.getLogger("antragsraum.notify")


class LogChannel:
    async def send(self, notice: Notice) -> None:
        log.info(
            "notification (not sent, channel 'log') to %s\nSubject: %s\n\n%s",
            notice.address,
            notice.subject,
            notice.text,
        )
