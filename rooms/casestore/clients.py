"""Machine credentials of authorities (case stores): created, hashed, authenticated."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from rooms.kernel import audit
from rooms.kernel.actors import DEFAULT_SCOPES, SCOPES, MachineClient
from rooms.kernel.errors import NotFound
from rooms.kernel.tables import ApiClient, Authority

TOKEN_PREFIX = "ar_"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def do_create_client(
    authority_slug: str, name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES
) -> tuple[MachineClient, str]:
    """Create a credential; the token is returned once and only its hash is stored."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"unknown scopes: {sorted(unknown)}" if unknown else "no scopes")
    authority: dict[str, Any] | None = (
        await Authority.select().where(Authority.slug == authority_slug).first()
    )
    if authority is None:
        raise NotFound()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        authority=authority["id"], name=name, token_hash=hash_token(token), scopes=list(scopes)
    )
    await client.save()
    return (
        MachineClient(
            id=UUID(str(client.id)),
            name=name,
            authority_id=UUID(str(authority["id"])),
            authority_slug=authority["slug"],
            authority_name=authority["name"],
            scopes=frozenset(scopes),
        ),
        token,
    )


async def authenticate(token: str) -> MachineClient | None:
    """The active client whose token this is, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    row: dict[str, Any] | None = (
        await ApiClient.select(
            ApiClient.id,
            ApiClient.name,
            ApiClient.token_hash,
            ApiClient.authority,
            ApiClient.authority.slug,
            ApiClient.authority.name,
            ApiClient.scopes,
        )
        .where((ApiClient.token_hash == digest) & ApiClient.revoked_at.is_null())
        .output(load_json=True)
        .first()
    )
    # The lookup is by hash; compare once more in constant time for good measure.
    if row is None or not hmac.compare_digest(row["token_hash"], digest):
        return None
    return MachineClient(
        id=UUID(str(row["id"])),
        name=row["name"],
        authority_id=UUID(str(row["authority"])),
        authority_slug=row["authority.slug"],
        authority_name=row["authority.name"],
        scopes=frozenset(row["scopes"] or ()),
    )


@dataclass(frozen=True)
class ClientRecord:
    id: UUID
    name: str
    authority_slug: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


async def clients_of(authority_slug: str | None = None) -> list[ClientRecord]:
    """The credentials (never their tokens), oldest first; all, or one authority's."""
    query = ApiClient.select(
        ApiClient.id,
        ApiClient.name,
        ApiClient.authority.slug,
        ApiClient.scopes,
        ApiClient.created_at,
        ApiClient.revoked_at,
    )
    if authority_slug is not None:
        query = query.where(ApiClient.authority.slug == authority_slug)
    rows: list[dict[str, Any]] = await query.order_by(ApiClient.created_at).output(load_json=True)
    return [
        ClientRecord(
            id=UUID(str(r["id"])),
            name=r["name"],
            authority_slug=r["authority.slug"],
            scopes=tuple(sorted(r["scopes"] or ())),
            created_at=r["created_at"],
            revoked_at=r["revoked_at"],
        )
        for r in rows
    ]


async def do_revoke_client(client_id: UUID | str) -> None:
    """Revoke a credential at once: its token authenticates nothing any more."""
    try:
        cid = client_id if isinstance(client_id, UUID) else UUID(client_id)
    except ValueError:
        raise NotFound() from None
    revoked: list[dict[str, Any]] = (
        await ApiClient.update({ApiClient.revoked_at: datetime.now(UTC)})
        .where((ApiClient.id == cid) & ApiClient.revoked_at.is_null())
        .returning(ApiClient.authority)
    )
    if not revoked:
        if not await ApiClient.exists().where(ApiClient.id == cid):
            raise NotFound()
        return  # revoked before: nothing changes
    await audit.record(
        "api_client_revoked",
        actor=None,
        machine="cli",
        authority_id=UUID(str(revoked[0]["authority"])),
        detail={"client_id": str(cid)},
    )
