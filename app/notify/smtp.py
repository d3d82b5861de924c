"""E-mail over SMTP (aiosmtplib): plain text and HTML, the authority's name as sender name."""

from __future__ import annotations

import email.utils
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from app.notify.channels import Notice, TemporaryFailure, Undeliverable


def build_message(notice: Notice, from_address: str) -> EmailMessage:
    message = EmailMessage()
    user, _, domain = from_address.partition("@")
    message["From"] = Address(display_name=notice.authority_name, username=user, domain=domain)
    message["To"] = notice.address
    message["Subject"] = notice.subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(idstring=str(notice.id), domain=domain or None)
    message["Content-Language"] = notice.language
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(notice.text)
    message.add_alternative(notice.html, subtype="html")
    return message


class SmtpChannel:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Literal["none", "starttls", "tls"],
        from_address: str,
        user: str = "",
        password: str = "",
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.from_address = from_address
        self.user = user
        self.password = password
        self.timeout = timeout

    async def send(self, notice: Notice) -> None:
        message = build_message(notice, self.from_address)
        try:
            await aiosmtplib.send(
                message,
                sender=self.from_address,
                recipients=[notice.address],
                hostname=self.host,
                port=self.port,
                username=self.user or None,
                password=self.password or None,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusals = exc.recipients
            if refusals and all(r.code >= 500 for r in refusals):
                raise Undeliverable("; ".join(f"{r.code} {r.message}" for r in refusals)) from exc
            raise TemporaryFailure(str(exc)) from exc
        except aiosmtplib.SMTPRecipientRefused as exc:
            if exc.code >= 500:
                raise Undeliverable(f"{exc.code} {exc.message}") from exc
            raise TemporaryFailure(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
