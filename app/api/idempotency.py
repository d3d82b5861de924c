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
- The request hash is SHA-256 over method, path (with query) and body.
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
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.params import HeaderParameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.api.scopes import remember
from rooms.casestore.clients import authenticate
from rooms.kernel.actors import MachineClient
from rooms.kernel.tables import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"
_KEY = re.compile(KEY_PATTERN)
TTL = timedelta(hours=24)
IN_FLIGHT_TIMEOUT = timedelta(minutes=10)
STORED_HEADERS = ("content-type", "location")
MB = 1024 * 1024

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
            "ASCII characters, scoped to your credential."
        ),
        min_length=1,
        max_length=255,
        pattern=KEY_PATTERN,
    ),
]
"""Declare as ``idempotency_key: IdempotencyKey = None`` in every API POST handler:
it documents the header; the middleware does the work."""


def storable(status: int) -> bool:
    """Answers worth replaying: successes and the client's own mistakes."""
    return (200 <= status < 300 or 400 <= status < 500) and status not in (401, 409)


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def body_limit(settings: Any) -> int:
    """The largest API body: every allowed file, base64-encoded, plus the JSON around it."""
    uploads = settings.uploads
    return int(uploads.max_files * (uploads.max_file_mb * MB * 4 // 3 + 4) + MB)


# --- the records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    record_id: UUID


@dataclass(frozen=True)
class Replay:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Refused:
    status: int
    title: str
    detail: str


MISMATCH = Refused(
    422,
    "Idempotency-Key reused with a different request",
    "This key was first used with another method, path or body; use a new key.",
)
IN_FLIGHT = Refused(
    409,
    "Request with this Idempotency-Key in progress",
    "The first request with this key is still being processed; retry later.",
)


async def claim(
    client_id: UUID, key: str, method: str, path: str, digest: str, now: datetime
) -> Claimed | Replay | Refused:
    """Insert the in-flight record, or say what the existing one means for this request."""
    await IdempotencyRecord.delete().where(IdempotencyRecord.created_at < now - TTL)
    for _ in range(3):
        inserted: list[dict[str, Any]] = await (
            IdempotencyRecord.insert(
                IdempotencyRecord(
                    client=client_id,
                    key=key,
                    method=method,
                    path=path[:500],
                    request_hash=digest,
                    status_code=0,
                    created_at=now,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(IdempotencyRecord.id)
        )
        if inserted:
            return Claimed(UUID(str(inserted[0]["id"])))
        row: dict[str, Any] | None = (
            await IdempotencyRecord.select()
            .where((IdempotencyRecord.client == client_id) & (IdempotencyRecord.key == key))
            .output(load_json=True)
            .first()
        )
        if row is None:
            continue  # removed in the meantime (released or expired): try again
        status = int(row["status_code"])
        abandoned = status == 0 and row["created_at"] < now - IN_FLIGHT_TIMEOUT
        if row["created_at"] < now - TTL or abandoned:
            await IdempotencyRecord.delete().where(
                (IdempotencyRecord.id == row["id"])
                & (IdempotencyRecord.status_code == status)
                & (IdempotencyRecord.created_at == row["created_at"])
            )
            continue
        if row["request_hash"] != digest:
            return MISMATCH
        if status == 0:
            return IN_FLIGHT
        headers = {str(k): str(v) for k, v in (row["response_headers"] or {}).items()}
        return Replay(status, row["response_body"].encode(), headers)
    return IN_FLIGHT


async def complete(record_id: UUID, status: int, body: bytes, headers: dict[str, str]) -> None:
    await IdempotencyRecord.update(
        {
            IdempotencyRecord.status_code: status,
            IdempotencyRecord.response_body: body.decode(),
            IdempotencyRecord.response_headers: headers,
        }
    ).where(IdempotencyRecord.id == record_id)


async def release(record_id: UUID) -> None:
    await IdempotencyRecord.delete().where(IdempotencyRecord.id == record_id)


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
        try:
            body = await _read_body(receive, body_limit(scope["app"].state.settings))
        except _TooLarge:
            await _send_problem(send, 413, "Content Too Large", "The request body is too large.")
            return
        path = scope["path"]
        if query := scope.get("query_string", b""):
            path += "?" + query.decode("latin-1")
        digest = request_hash("POST", path, body)
        outcome = await claim(client.id, key, "POST", path, digest, self.clock())
        if isinstance(outcome, Refused):
            await _send_problem(send, outcome.status, outcome.title, outcome.detail)
            return
        if isinstance(outcome, Replay):
            replayed = {**outcome.headers, "idempotent-replayed": "true"}
            await _send_raw(send, outcome.status, outcome.body, replayed)
            return
        await self._first(scope, receive, send, next_app, body, outcome.record_id)

    async def _first(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        body: bytes,
        record_id: UUID,
    ) -> None:
        delivered = False

        async def replay_receive() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

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
            await next_app(scope, replay_receive, capture)
        except BaseException:
            await asyncio.shield(release(record_id))
            raise
        answer = b"".join(chunks)
        if storable(status) and _is_text(answer):
            await asyncio.shield(complete(record_id, status, answer, kept))
        else:
            await asyncio.shield(release(record_id))
