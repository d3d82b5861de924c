"""``Idempotency-Key`` for every POST of the machine API.

Why an ASGI middleware on the API router (and not a wrapper around each handler):
it is written once and covers every POST under /api/v1, including the ones added
later; it sees the exact bytes of the request (the hash is over what was sent, not
over what a handler parsed) and the final answer, including the problem details that
the exception handlers make from a refusal (Litestar puts an exception handler
between the route and the router's middleware, so a refusal passes through here as
an ordinary response).

The rules:

- The key is scoped per client: two clients may use the same key independently.
- The request hash is SHA-256 over method, path (with query) and body. A JSON (or any
  other non-multipart) body is small and read whole before the handler runs; its hash
  is known when the key is claimed.
- A multipart/form-data body can be hundreds of megabytes: it is never buffered, it
  streams through to the handler. Its request hash is over method, path and the
  form's fingerprint (fields and files: part name, file name, type, size, SHA-256;
  ``app.files.upload_stream``), so a repeat with another boundary is the same
  request. The first request claims the key before its hash is known; the upload
  pipeline reports the fingerprint once the whole body is in (``received_for_idempotency``),
  and only then can the answer be stored. An answer given before the whole body was
  received (404, a closed room, 413 as soon as a limit is crossed) is not stored: a
  repeat is answered afresh. A repeat of a stored multipart request is read (hashing
  only, constant memory) and then replayed, or refused with 422 if it differs.
- The first request inserts the record with ``status_code = 0`` (in flight) in its
  own statement, outside the handler's transaction; the unique index on
  (client, key) decides races.
- When the handler has answered 2xx or 4xx (but not 401 or 409), the answer's
  status, body and ``Location`` / ``Content-Type`` are stored and replayed to every
  repeat with the same hash (with ``Idempotent-Replayed: true``). Anything else
  (5xx, 401, 409, a handler that died) removes the record: the client may retry.
- The same key with another method, path or body: 422. The same key while the first
  request is still being processed: 409.
- Records older than ``TTL`` are ignored and removed; an in-flight record older
  than ``IN_FLIGHT_TIMEOUT`` (a process that died mid-request) is taken over.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.params import HeaderParameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.api.bodies import is_multipart_type, json_limit, max_field
from app.api.idempotency_records import (
    MISMATCH,
    STORED_HEADERS,
    Claimed,
    Refused,
    Replay,
    Unverified,
    claim,
    complete,
    form_hash,
    release,
    request_hash,
    storable,
)
from app.api.scopes import STATE_KEY, remember
from app.files.upload_stream import BadUpload, ReceivedUpload, TooLarge, fingerprint
from rooms.casestore.clients import authenticate
from rooms.kernel.actors import MachineClient

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"
_KEY = re.compile(KEY_PATTERN)
MB = 1024 * 1024
FINGERPRINT = "idempotency_fingerprint"
"""The scope's state key under which the upload pipeline reports a multipart fingerprint."""

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        required=False,
        description=(
            "Makes the POST safe to retry: a repeat with the same key and the same "
            "request returns the first answer (with `Idempotent-Replayed: true`) for "
            "24 hours; the same key with another request is refused with 422, and "
            "with 409 while the first is still being processed. 1-255 printable "
            "ASCII characters, scoped to your credential. A multipart/form-data "
            "request is the same when its fields and files are (whatever its "
            "boundary); its answer is remembered only once the whole body was "
            "received (an earlier refusal is not, a repeat is answered afresh)."
        ),
        min_length=1,
        max_length=255,
        pattern=KEY_PATTERN,
    ),
]
"""Declare as ``idempotency_key: IdempotencyKey = None`` in every API POST handler:
it documents the header; the middleware does the work."""


def body_limit(settings: Any) -> int:
    """The largest body read before the handler: a JSON body with its base64 files."""
    return json_limit(settings)


def received_for_idempotency(request: Any) -> Callable[[ReceivedUpload], None]:
    """For ``accept(on_received=...)``: report a multipart form's fingerprint to the
    middleware once the whole body is in (it stores the answer under it)."""

    def note(received: ReceivedUpload) -> None:
        request.scope.setdefault("state", {})[FINGERPRINT] = received.fingerprint()

    return note


# --- the middleware -----------------------------------------------------------------------


def _is_text(body: bytes) -> bool:
    """Storable as text (PostgreSQL's text holds no NUL)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


class _TooLarge(Exception):
    pass


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The request body as it arrives (for hashing a repeated multipart request)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise asyncio.CancelledError()
        yield message.get("body", b"")  # type: ignore[misc]
        if not message.get("more_body", False):
            return


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise asyncio.CancelledError()
        chunk: bytes = message.get("body", b"")  # type: ignore[assignment]
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_raw(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_problem(send: Send, status: int, title: str, detail: str) -> None:
    body = msgspec.json.encode(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    )
    await _send_raw(send, status, body, {"content-type": "application/problem+json"})


async def _client(scope: Scope, headers: Headers) -> MachineClient | None:
    known = scope.get("state", {}).get(STATE_KEY)  # authenticated by the rate limit
    if isinstance(known, MachineClient):
        return known
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    client = await authenticate(token.strip())
    if client is not None:
        remember(scope, client)
    return client


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        key = headers.get(HEADER.lower())
        if scope.get("method") != "POST" or key is None:
            await next_app(scope, receive, send)
            return
        client = await _client(scope, headers)
        if client is None:  # the handler answers 401; nothing to remember
            await next_app(scope, receive, send)
            return
        if not _KEY.fullmatch(key):
            await _send_problem(
                send, 422, "Invalid Idempotency-Key", "Use 1-255 printable ASCII characters."
            )
            return
        path = scope["path"]
        if query := scope.get("query_string", b""):
            path += "?" + query.decode("latin-1")
        content_type = headers.get("content-type", "")
        if is_multipart_type(content_type):
            await self._streamed(scope, receive, send, next_app, client, key, path, content_type)
            return
        try:
            body = await _read_body(receive, body_limit(scope["app"].state.settings))
        except _TooLarge:
            await _send_problem(send, 413, "Content Too Large", "The request body is too large.")
            return
        digest = request_hash("POST", path, body)
        outcome = await claim(client.id, key, "POST", path, digest, self.clock())
        if isinstance(outcome, Claimed):
            await self._first(scope, _replaying(body, receive), send, next_app, outcome.record_id)
        else:
            assert not isinstance(outcome, Unverified)
            await _answer(send, outcome)

    async def _streamed(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        client: MachineClient,
        key: str,
        path: str,
        content_type: str,
    ) -> None:
        """A multipart request: claimed before its hash is known, never buffered."""
        outcome = await claim(client.id, key, "POST", path, None, self.clock())
        if isinstance(outcome, Claimed):
            state = scope.setdefault("state", {})
            state.pop(FINGERPRINT, None)

            def digest() -> str | None:
                reported = state.get(FINGERPRINT)
                return None if reported is None else form_hash("POST", path, reported)

            await self._first(scope, receive, send, next_app, outcome.record_id, digest)
            return
        if isinstance(outcome, Unverified):
            settings = scope["app"].state.settings
            try:
                repeated = await fingerprint(
                    content_type,
                    _chunks(receive),
                    max_file=settings.uploads.max_file_mb * MB,
                    max_files=settings.uploads.max_files,
                    max_field=max_field(settings),
                )
            except (TooLarge, BadUpload):
                repeated = ""  # not a form the first request could have been
            same = form_hash("POST", path, repeated) == outcome.request_hash
            await _answer(send, outcome.replay if repeated and same else MISMATCH)
            return
        await _answer(send, outcome)

    async def _first(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        record_id: UUID,
        digest: Callable[[], str | None] | None = None,
    ) -> None:
        """Run the handler and store its answer (``digest``: the hash known only after)."""
        status = 0
        kept: dict[str, str] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    lowered = name.decode("latin-1").lower()
                    if lowered in STORED_HEADERS:
                        kept[lowered] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await next_app(scope, receive, capture)
        except BaseException:
            await asyncio.shield(release(record_id))
            raise
        answer = b"".join(chunks)
        late_hash = digest() if digest is not None else None
        known = digest is None or late_hash is not None
        if known and storable(status) and _is_text(answer):
            await asyncio.shield(complete(record_id, status, answer, kept, late_hash))
        else:
            await asyncio.shield(release(record_id))


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` that hands the handler the body already read, then the rest as usual."""
    delivered = False

    async def replay_receive() -> Any:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay_receive


async def _answer(send: Send, outcome: Replay | Refused) -> None:
    if isinstance(outcome, Refused):
        await _send_problem(send, outcome.status, outcome.title, outcome.detail)
        return
    replayed = {**outcome.headers, "idempotent-replayed": "true"}
    await _send_raw(send, outcome.status, outcome.body, replayed)
