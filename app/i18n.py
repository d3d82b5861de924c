"""German-first UI text with an English translation.

Templates write German source text inside ``_()``; :data:`EN` translates it. Jinja's
own i18n extension does the template side; the catalogue is a plain mapping because
the product has two languages and a few hundred strings, which a gettext toolchain
would not make safer.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n_en import EN

LANGUAGES = ("de", "en")
current_language: ContextVar[str] = ContextVar("current_language", default="de")


def gettext(text: str) -> str:
    if current_language.get() == "en":
        return str(EN.get(text, text))
    return str(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def negotiate(connection: ASGIConnection[Any, Any, Any, Any], default: str = "de") -> str:
    """Language from the ``lang`` query parameter or cookie, then Accept-Language."""
    chosen = connection.query_params.get("lang") or connection.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    header = connection.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


def setup_jinja(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_language"] = current_language.get
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date


BERLIN = ZoneInfo("Europe/Berlin")


def format_datetime(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(BERLIN)
    if current_language.get() == "en":
        return local.strftime("%d %b %Y, %H:%M")
    return local.strftime("%d.%m.%Y, %H:%M Uhr")


def format_date(value: date) -> str:
    if current_language.get() == "en":
        return value.strftime("%d %b %Y")
    return value.strftime("%d.%m.%Y")


class LanguageMiddleware(ASGIMiddleware):
    """Sets the UI language for the request (or websocket) being handled.

    ``?lang=en`` switches and is remembered in a ``lang`` cookie; without a choice,
    the browser's Accept-Language decides, then the configured default.
    """

    scopes = ("http", "websocket")  # type: ignore[assignment]

    def __init__(self, default: str = "de") -> None:
        self.default = default

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        language = negotiate(connection, self.default)
        token = current_language.set(language)
        chosen = connection.query_params.get("lang")

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start" and chosen in LANGUAGES:
                headers = MutableScopeHeaders.from_message(message)
                headers.add("set-cookie", f"lang={chosen}; Path=/; Max-Age=31536000; SameSite=Lax")
            await send(message)

        try:
            await next_app(scope, receive, remember if scope["type"] == ScopeType.HTTP else send)
        finally:
            current_language.reset(token)
