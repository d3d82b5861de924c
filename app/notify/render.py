"""Notices as e-mail (German or English, plain text and HTML) and as postbox text.

The templates in ``templates/mail/`` receive only what a notice may name: the
authority, the case reference, what is needed, the deadline and the links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from app.i18n import current_language, format_date, gettext, ngettext
from app.notify.channels import Notice
from rooms.outbound.notify.kinds import Reason
from rooms.outbound.notify.queue import DueNotice

MAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(MAIL_TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = format_date
    return env


ENV = _environment()


def _plain(value: Any) -> str:
    """A macro's output as plain text (the macros live in an autoescaped template)."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    return " ".join(text.split())


def render(due: DueNotice, base_url: str) -> Notice:
    """The notice in the recipient's language."""
    base_url = base_url.rstrip("/")
    token = current_language.set(due.language)
    try:
        texts = ENV.get_template("_texts.html").module
        digest = due.reason == Reason.digest
        link = f"{base_url}/inbox" if digest else f"{base_url}/rooms/{due.room_id}"
        subject = _plain(
            texts.subject(due.reason, due.case_ref, len(due.digest_rooms))  # type: ignore[attr-defined]
        )
        context = {
            "language": due.language,
            "subject": subject,
            "recipient_name": due.recipient_name,
            "authority_name": due.authority_name,
            "case_ref": due.case_ref,
            "reason": due.reason,
            "deadline": due.deadline,
            "link": link,
            "base_url": base_url,
            "settings_link": f"{base_url}/einstellungen/benachrichtigungen",
            "rooms": due.digest_rooms,
        }
        name = "digest" if digest else "notice"
        text = ENV.get_template(f"{name}.txt").render(context)
        html = ENV.get_template(f"{name}.html").render(context)
        short = _plain(texts.needed(due.reason))  # type: ignore[attr-defined]
        if due.deadline:
            short += " " + _plain(texts.deadline_line(due.deadline))  # type: ignore[attr-defined]
    finally:
        current_language.reset(token)
    return Notice(
        id=due.id,
        channel=due.channel,
        address=due.address,
        recipient_subject=due.recipient_subject,
        recipient_name=due.recipient_name,
        authority_name=due.authority_name,
        language=due.language,
        subject=subject,
        text=text,
        html=html,
        link=link,
        short_text=short.strip(),
    )
