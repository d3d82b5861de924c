"""The records behind ``Idempotency-Key``: claimed, completed, released, replayed.

One ``IdempotencyRecord`` row per (client, key): inserted in flight by the first
request (``status_code = 0``) in its own statement, so that the unique index decides
races; completed with the answer to replay; released when the answer is not worth
keeping. The rules are in ``app.api.idempotency``, the middleware that uses these.

Each step is a ``write_transaction()`` of its own, like every write: on SQLite it
begins IMMEDIATE and waits for the write lock within the busy timeout; each commits
before the handler runs (the claim) or after it answered (complete, release), so a
concurrent request sees the record in flight.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from rooms.kernel.db import write_transaction
from rooms.kernel.tables import IdempotencyRecord

TTL = timedelta(hours=24)
IN_FLIGHT_TIMEOUT = timedelta(minutes=10)
STORED_HEADERS = ("content-type", "location")


def storable(status: int) -> bool:
    """Answers worth replaying: successes and the client's own mistakes."""
    return (200 <= status < 300 or 400 <= status < 500) and status not in (401, 409)


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def form_hash(method: str, path: str, form_fingerprint: str) -> str:
    """The request hash of a multipart request, from its form's fingerprint."""
    return request_hash(method, path, b"multipart/form-data " + form_fingerprint.encode())


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
class Unverified:
    """A stored answer to a request whose hash was not known when claiming: compare."""

    request_hash: str
    replay: Replay


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
    client_id: UUID, key: str, method: str, path: str, digest: str | None, now: datetime
) -> Claimed | Replay | Unverified | Refused:
    """Insert the in-flight record, or say what the existing one means for this request.

    ``digest`` None: the request's hash is not known yet (a streamed multipart body);
    the record is claimed without one, and a stored answer comes back ``Unverified``.
    """
    async with write_transaction():
        return await _claim(client_id, key, method, path, digest, now)


async def _claim(
    client_id: UUID, key: str, method: str, path: str, digest: str | None, now: datetime
) -> Claimed | Replay | Unverified | Refused:
    await IdempotencyRecord.delete().where(IdempotencyRecord.created_at < now - TTL)
    for _ in range(3):
        inserted: list[dict[str, Any]] = await (
            IdempotencyRecord.insert(
                IdempotencyRecord(
                    client=client_id,
                    key=key,
                    method=method,
                    path=path[:500],
                    request_hash=digest or "",
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
        stored = str(row["request_hash"])
        if status == 0:  # in flight; a streamed first request's hash is not known yet
            return MISMATCH if digest is not None and stored and stored != digest else IN_FLIGHT
        headers = {str(k): str(v) for k, v in (row["response_headers"] or {}).items()}
        replay = Replay(status, row["response_body"].encode(), headers)
        if digest is None:
            return Unverified(stored, replay)
        return replay if stored == digest else MISMATCH
    return IN_FLIGHT


async def complete(
    record_id: UUID,
    status: int,
    body: bytes,
    headers: dict[str, str],
    request_hash: str | None = None,
) -> None:
    """Store the answer (and the request's hash, when it was not known at the claim)."""
    values: dict[Any, Any] = {
        IdempotencyRecord.status_code: status,
        IdempotencyRecord.response_body: body.decode(),
        IdempotencyRecord.response_headers: headers,
    }
    if request_hash is not None:
        values[IdempotencyRecord.request_hash] = request_hash
    async with write_transaction():
        await IdempotencyRecord.update(values).where(IdempotencyRecord.id == record_id)


async def release(record_id: UUID) -> None:
    async with write_transaction():
        await IdempotencyRecord.delete().where(IdempotencyRecord.id == record_id)
