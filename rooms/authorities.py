"""Authorities: the tenants of the portal."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from rooms.errors import Invalid
from rooms.tables import Authority, AuthorityKind

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


async def do_create_authority(slug: str, name: str, kind: str) -> UUID:
    errors = {}
    if not SLUG.match(slug):
        errors["slug"] = "invalid"
    if not name.strip() or len(name) > 200:
        errors["name"] = "invalid"
    if kind not in {k.value for k in AuthorityKind}:
        errors["kind"] = "invalid"
    if errors:
        raise Invalid(errors)
    existing: dict[str, Any] | None = (
        await Authority.select(Authority.id).where(Authority.slug == slug).first()
    )
    if existing is not None:
        raise Invalid({"slug": "taken"})
    authority = Authority(slug=slug, name=name.strip(), kind=kind)
    await authority.save()
    return UUID(str(authority.id))


async def find_authority(slug: str) -> UUID | None:
    row: dict[str, Any] | None = (
        await Authority.select(Authority.id).where(Authority.slug == slug).first()
    )
    return UUID(str(row["id"])) if row else None
