"""Applicants' preferences, account addresses and planned notices from before issuers were kept.

The rows the issuer migration found (see ``rooms_2026_12_02t16_30_00_000000``) have
the empty issuer and so match nobody: no login reads or overwrites them. The app
gives them the sole applicant provider's issuer at start, as it does for
participants (``app.identity.issuers``); staff rows keep the empty issuer, their key.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from rooms.kernel.account_tables import AccountAddress
from rooms.kernel.actors import ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.tables import ContactPreference, Notification

APPLICANT_REALMS = [ActorKind.citizen.value, ActorKind.business.value]

_KEYED: tuple[tuple[type[Table], Column, Column], ...] = (
    (ContactPreference, ContactPreference.realm, ContactPreference.issuer),
    (AccountAddress, AccountAddress.realm, AccountAddress.issuer),
    (Notification, Notification.recipient_realm, Notification.recipient_issuer),
)


async def do_assign_notify_issuer(issuer: str) -> int:
    """Give the applicant rows without an issuer ``issuer``; how many (all three tables)."""
    assigned = 0
    async with write_transaction():
        for table, realm, column in _KEYED:
            rows: list[dict[str, Any]] = await (
                table.update({column: issuer})
                .where((column == "") & realm.is_in(APPLICANT_REALMS))
                .returning(table._meta.primary_key)
            )
            assigned += len(rows)
    return assigned


async def unassigned_notify_rows() -> int:
    """Applicant rows still without an issuer (they match nobody)."""
    left = 0
    for table, realm, column in _KEYED:
        left += await table.count().where((column == "") & realm.is_in(APPLICANT_REALMS))
    return left
