"""Each person's own notification preferences: address, e-mail and postbox on/off, language, digest.

Stored per realm, issuer and subject (a business shares its organisation's): a
subject is unique per identity provider only. Staff keep the empty issuer, as their
participant rows and room assignments do (they are named by subject alone). Where
none are stored, the defaults apply, with the deployment's digest default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rooms.kernel import audit
from rooms.kernel.actors import Actor, ActorKind
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.tables import ContactPreference
from rooms.kernel.text import holds_nul
from rooms.outbound.notify.kinds import LANGUAGES, Digest
from rooms.outbound.notify.policy import current_policy

MAX_EMAIL = 320
# Simple on purpose: one @, no blanks, a dot in the domain. The mail server decides the rest.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Preferences:
    realm: str
    issuer: str
    subject: str
    email: str = ""
    email_enabled: bool = True
    postbox_enabled: bool = True
    language: str = "de"
    digest: str = Digest.daily.value
    stored: bool = False


PersonKey = tuple[str, str, str]
"""(realm, issuer, subject): whose preferences and account address."""


def preference_key(actor: Actor) -> PersonKey:
    """The key of the actor's own preferences; businesses share their organisation's."""
    if actor.kind is ActorKind.staff:
        return ActorKind.staff.value, "", actor.subject
    return actor.kind.value, actor.issuer, actor.applicant_subject


def _stored_preferences(row: dict[str, Any]) -> Preferences:
    return Preferences(
        realm=row["realm"],
        issuer=row["issuer"],
        subject=row["subject"],
        email=row["email"],
        email_enabled=bool(row["email_enabled"]),
        postbox_enabled=bool(row["postbox_enabled"]),
        language=row["language"] if row["language"] in LANGUAGES else "de",
        digest=row["digest"],
        stored=True,
    )


async def _preferences(key: PersonKey) -> Preferences:
    return (await preferences_of([key]))[key]


async def preferences_of(keys: Sequence[PersonKey]) -> dict[PersonKey, Preferences]:
    """The preferences of several people in one query (defaults where none are stored)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows: list[dict[str, Any]] = await ContactPreference.select().where(
        ContactPreference.realm.is_in(sorted({realm for realm, _, _ in wanted}))
        & ContactPreference.issuer.is_in(sorted({issuer for _, issuer, _ in wanted}))
        & ContactPreference.subject.is_in(sorted({subject for _, _, subject in wanted}))
    )
    stored = {(r["realm"], r["issuer"], r["subject"]): _stored_preferences(r) for r in rows}
    digest_default = current_policy().digest_default
    return {key: stored.get(key) or Preferences(*key, digest=digest_default) for key in wanted}


async def get_preferences(actor: Actor) -> Preferences:
    """The actor's own preferences (defaults when none are stored)."""
    return await _preferences(preference_key(actor))


def validate_preferences(
    *, email: str, email_enabled: bool, language: str, digest: str
) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    address = email.strip()
    if address and (len(address) > MAX_EMAIL or not EMAIL.match(address) or holds_nul(address)):
        errors["email"] = "invalid"
    if language not in LANGUAGES:
        errors["language"] = "invalid"
    if digest not in {d.value for d in Digest}:
        errors["digest"] = "invalid"
    if errors:
        raise Invalid(errors)
    return address, language, digest


async def check_update_preferences(
    actor: Actor,
    *,
    email: str,
    email_enabled: bool,
    language: str,
    digest: str | None = None,
    postbox_enabled: bool | None = None,
) -> Preferences:
    """Validate and store the actor's own preferences (there is no way to name another's)."""
    key = realm, issuer, subject = preference_key(actor)
    async with write_transaction():
        current = await _preferences(key)
        address, language, chosen_digest = validate_preferences(
            email=email,
            email_enabled=email_enabled,
            language=language,
            digest=current.digest if digest is None else digest,
        )
        postbox = current.postbox_enabled if postbox_enabled is None else postbox_enabled
        now = datetime.now(UTC)
        await ContactPreference.insert(
            ContactPreference(
                realm=realm,
                issuer=issuer,
                subject=subject,
                email=address,
                email_enabled=email_enabled,
                postbox_enabled=postbox,
                language=language,
                digest=chosen_digest,
                updated_at=now,
            )
        ).on_conflict(
            target=(ContactPreference.realm, ContactPreference.issuer, ContactPreference.subject),
            action="DO UPDATE",
            values=[
                (ContactPreference.email, address),
                (ContactPreference.email_enabled, email_enabled),
                (ContactPreference.postbox_enabled, postbox),
                (ContactPreference.language, language),
                (ContactPreference.digest, chosen_digest),
                (ContactPreference.updated_at, now),
            ],
        )
        await audit.record(
            "notification_preferences_changed",
            actor=actor,
            detail={
                "email_enabled": email_enabled,
                "language": language,
                "digest": chosen_digest,
                "address_given": bool(address),
            },
        )
    return await _preferences(key)
