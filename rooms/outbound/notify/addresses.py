"""Where a person's e-mail goes: their own choice, then their account, then the intake.

The order: the address the person set under "Benachrichtigungen" (their choice wins),
then the address their identity provider gave at their last login (what the
preferences page offers as "the address from your account"), then the address the
case store gave at intake (``Participant.email``, often empty). The account address
is written at every login (:func:`remember_account_address`) under the same key
as the preferences, so a business's notices go to the address of the employee who
logged in last for the organisation. An account without an e-mail claim clears what
was kept: the provider's current word counts, not an address it no longer vouches for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rooms.kernel.account_tables import AccountAddress
from rooms.kernel.actors import Actor
from rooms.kernel.db import write_transaction
from rooms.outbound.notify.preferences import (
    EMAIL,
    MAX_EMAIL,
    PersonKey,
    Preferences,
    preference_key,
)


async def remember_account_address(actor: Actor) -> None:
    """Keep the address of the actor's account claims (at login; empty clears it)."""
    realm, issuer, subject = preference_key(actor)
    address = actor.email.strip()
    if address and (len(address) > MAX_EMAIL or not EMAIL.match(address)):
        address = ""  # a provider's malformed claim is not an address to send to
    now = datetime.now(UTC)
    async with write_transaction():
        await AccountAddress.insert(
            AccountAddress(
                realm=realm, issuer=issuer, subject=subject, email=address, updated_at=now
            )
        ).on_conflict(
            target=(AccountAddress.realm, AccountAddress.issuer, AccountAddress.subject),
            action="DO UPDATE",
            values=[(AccountAddress.email, address), (AccountAddress.updated_at, now)],
        )


async def account_addresses_of(keys: Sequence[PersonKey]) -> dict[PersonKey, str]:
    """The kept account addresses of several people, in one query (absent: not known)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows: list[dict[str, Any]] = await AccountAddress.select(
        AccountAddress.realm, AccountAddress.issuer, AccountAddress.subject, AccountAddress.email
    ).where(
        AccountAddress.realm.is_in(sorted({realm for realm, _, _ in wanted}))
        & AccountAddress.issuer.is_in(sorted({issuer for _, issuer, _ in wanted}))
        & AccountAddress.subject.is_in(sorted({subject for _, _, subject in wanted}))
    )
    found = {(r["realm"], r["issuer"], r["subject"]): r["email"] for r in rows}
    return {key: found[key] for key in wanted if found.get(key)}


def address_for(prefs: Preferences, account: str, intake: str) -> str:
    """The address a notice goes to (empty: none known)."""
    return prefs.email or account or intake
