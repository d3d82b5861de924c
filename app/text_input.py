"""Text the app takes in: valid UTF-8, without NUL, refused at the door.

PostgreSQL's ``text`` cannot hold U+0000 (asyncpg raises, a 500), SQLite stores it
as it is, and bytes that are not UTF-8 make msgspec raise ``UnicodeDecodeError``
(not a ``DecodeError``); JSON nested deeper than msgspec recurses raises
``RecursionError``. None of that may reach a handler, so the one place is the
request itself: :class:`TextRequest` is the app's ``request_class``.

- A JSON body (``Request.json()``, which Litestar's ``data`` parameters and
  ``app.api.bodies.json_body`` both use): not UTF-8 or nested too deep is 400 (as
  any malformed JSON); a string holding NUL is 422 naming where it is (as any other
  invalid field).
- A URL-encoded form body (``Request.body()``, which Litestar's form extractor reads):
  bytes that are not UTF-8 once percent-decoded are 400. A browser never sends them
  (the pages declare UTF-8), so a page in people's words is enough; Python's
  ``parse_qsl`` would otherwise put U+FFFD in their place without a word. A NUL a form
  carries goes on to the action, whose validation answers with the form again and the
  message at the field (``rooms.kernel.text``).
- A query string under ``/api/`` (:class:`QueryTextMiddleware`): NUL or bytes that are
  not UTF-8 are 400. The pages' own query strings (the inbox search) drop what they
  cannot use instead, so a person's odd search still finds something.

Multipart text fields are decoded strictly where they are parsed
(``app.files.upload_stream``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from multipart import parse_options_header

NOT_UTF8 = "The request is not valid UTF-8 text."
TOO_DEEP = "The JSON body is nested too deeply."
NUL_MESSAGE = "contains invalid characters"


class InvalidText(ClientException):
    """400: the request's text is not UTF-8 (or holds NUL where nothing may)."""


def query_problem(raw: bytes) -> str | None:
    """Why an ``a=b&c=d`` text cannot be taken (not UTF-8, NUL), or ``None``."""
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return NOT_UTF8
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        return "The request holds a NUL character."
    return None


def form_is_utf8(raw: bytes) -> bool:
    try:
        parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def nul_at(value: Any, path: str = "") -> str | None:
    """Where in decoded JSON a string (or a key) holds NUL: ``applicant.name``, ``items[2]``."""
    if isinstance(value, str):
        return path or "data" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            if (found := nul_at(item, where)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := nul_at(item, f"{path}[{index}]")) is not None:
                return found
    return None


class TextRequest(Request[Any, Any, Any]):
    """The app's request: its JSON and form bodies are checked as text (see the module)."""

    async def body(self) -> bytes:
        raw = await super().body()
        mime, _ = parse_options_header(self.headers.get("content-type", ""))
        if mime == "application/x-www-form-urlencoded" and not form_is_utf8(raw):
            raise InvalidText(detail=NOT_UTF8)
        return raw

    async def json(self) -> Any:
        try:
            value = await super().json()
        except SerializationException as exc:  # malformed JSON, as Litestar words it
            raise InvalidText(detail=str(exc)) from None
        except UnicodeDecodeError:
            raise InvalidText(detail=NOT_UTF8) from None
        except RecursionError:
            raise InvalidText(detail=TOO_DEEP) from None
        if (where := nul_at(value)) is not None:
            raise ValidationException(
                detail="The request body is invalid.",
                extra=[{"message": NUL_MESSAGE, "key": where}],
            )
        return value


class QueryTextMiddleware(ASGIMiddleware):
    """400 for an API query string with NUL or bytes that are not UTF-8."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] == ScopeType.HTTP and scope["path"].startswith("/api/"):
            problem = query_problem(scope.get("query_string", b""))
            if problem is not None:
                raise InvalidText(detail=problem)
        await next_app(scope, receive, send)
