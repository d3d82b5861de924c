"""API credentials: listed without their tokens, revoked at once, scoped."""

from __future__ import annotations

import uuid

import pytest

from rooms.casestore.clients import authenticate, clients_of, do_create_client, do_revoke_client
from rooms.kernel.errors import NotFound
from rooms.kernel.tables import AuditEvent
from tests import builders

pytestmark = pytest.mark.usefixtures("database")


async def test_a_revoked_token_authenticates_nothing_and_the_revocation_is_audited() -> None:
    machine, token = await builders.client()
    other, other_token = await builders.client()
    assert await authenticate(token) is not None
    await do_revoke_client(machine.id)
    assert await authenticate(token) is None
    assert await authenticate(other_token) is not None  # only that one
    await do_revoke_client(str(machine.id))  # again: nothing changes
    audited = await AuditEvent.select().where(AuditEvent.action == "api_client_revoked")
    assert len(audited) == 1 and "token" not in str(audited[0]["detail"])
    listed = {c.id: c for c in await clients_of("demo-stadt")}
    assert listed[machine.id].revoked_at is not None
    assert listed[other.id].revoked_at is None


async def test_revoking_what_does_not_exist_is_not_found() -> None:
    for missing in (uuid.uuid4(), "kein-client"):
        with pytest.raises(NotFound):
            await do_revoke_client(missing)


async def test_clients_are_listed_per_authority_with_their_scopes() -> None:
    await builders.authority()
    await builders.authority("demo-kreis", "Landkreis Demo")
    reader, _ = await do_create_client("demo-kreis", "Feed", ("events:read",))
    await do_create_client("demo-stadt", "Fachverfahren")
    [kreis] = await clients_of("demo-kreis")
    assert kreis.id == reader.id and kreis.scopes == ("events:read",)
    assert {c.authority_slug for c in await clients_of()} == {"demo-kreis", "demo-stadt"}
    with pytest.raises(ValueError, match="unknown scopes"):
        await do_create_client("demo-stadt", "Falsch", ("rooms:delete",))
