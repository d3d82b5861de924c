"""A placeholder adapter for account postboxes (BundID postbox, OSI postbox).

The real postbox interfaces are not publicly documented or reachable from here, so
this adapter speaks a small interface of our own, meant to sit behind a thin gateway
to the real one: ``POST <url>`` with ``Authorization: Bearer <token>`` and a JSON body

    {"notice_id": "...", "channel": "bundid_postbox", "recipient": "<account subject>",
     "sender": "<authority name>", "language": "de", "subject": "...",
     "text": "<one or two sentences>", "link": "https://.../rooms/<id>"}

A 2xx answer is delivered; 400, 404, 410 and 422 say the recipient or notice is refused
for good (undeliverable); anything else (408, 429, 5xx, no answer) is retried. The
notice carries no message text, only what the e-mail says too.
"""

from __future__ import annotations

import httpx

from app.notify.channels import Notice, TemporaryFailure, Undeliverable

PERMANENT = {400, 404, 410, 422}


TIMEOUT_SECONDS = 30.0
"""How long one notice may take to post."""


class PostboxChannel:
    """One class, configured once per postbox (``bundid_postbox``, ``osi_postbox``)."""

    def __init__(
        self, name: str, url: str, token: str, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.name = name
        self.url = url
        self.token = token
        self.timeout = timeout

    def body(self, notice: Notice) -> dict[str, str]:
        return {
            "notice_id": str(notice.id),
            "channel": self.name,
            "recipient": notice.recipient_subject,
            "sender": notice.authority_name,
            "language": notice.language,
            "subject": notice.subject,
            "text": notice.short_text,
            "link": notice.link,
        }

    async def send(self, notice: Notice) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url,
                    json=self.body(notice),
                    headers={"Authorization": f"Bearer {self.token}"},
                )
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        reply = f"{response.status_code} {response.text[:200]}".strip()
        if response.status_code in PERMANENT:
            raise Undeliverable(reply)
        raise TemporaryFailure(reply)
