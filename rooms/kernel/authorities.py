"""Authorities: the tenants of the portal."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from uuid import UUID

from rooms.kernel.errors import Invalid
from rooms.kernel.tables import Authority
from rooms.kernel.vocabulary import AuthorityKind

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


async def do_create_authority(
    slug: str, name: str, kind: str, allowed_networks: list[str] | None = None
) -> UUID:
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
    networks = parse_networks(allowed_networks or [])
    authority = Authority(slug=slug, name=name.strip(), kind=kind, allowed_networks=networks)
    await authority.save()
    return UUID(str(authority.id))


async def find_authority(slug: str) -> UUID | None:
    row: dict[str, Any] | None = (
        await Authority.select(Authority.id).where(Authority.slug == slug).first()
    )
    return UUID(str(row["id"])) if row else None


def parse_networks(values: list[str]) -> list[str]:
    """Normalised CIDR ranges; refuses anything that is not one."""
    networks = []
    for value in values:
        try:
            networks.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise Invalid({"allowed_networks": "invalid"}) from None
    return networks


def address_allowed(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net) for net in networks)


async def allowed_networks(slug: str) -> list[str]:
    """The CIDR ranges the authority's staff may work from (none for an unknown slug)."""
    row: dict[str, Any] | None = (
        await Authority.select(Authority.allowed_networks)
        .where(Authority.slug == slug)
        .output(load_json=True)
        .first()
    )
    if row is None or not isinstance(row["allowed_networks"], list):
        return []
    return [str(net) for net in row["allowed_networks"]]


async def do_set_allowed_networks(slug: str, values: list[str]) -> list[str]:
    networks = parse_networks(values)
    await Authority.update({Authority.allowed_networks: networks}).where(Authority.slug == slug)
    return networks
