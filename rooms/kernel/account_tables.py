"""The account addresses the identity providers told us at login.

Apart from ``ContactPreference`` on purpose: a preference row means the person chose
something (its defaults, the digest among them, apply until then), while this is
what their account says, written at every login whether they ever opened the
preferences page or not. Keyed like the preferences (realm, issuer and subject, a
business by its organisation), so the planner finds it with the same key.
"""

from __future__ import annotations

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AccountAddress(Table):
    """The e-mail in the claims of a person's last login (unique per realm, issuer, subject)."""

    id = UUID(primary_key=True)
    realm = Varchar(length=20)
    issuer = Varchar(length=255, default="")  # as ContactPreference.issuer
    subject = Varchar(length=255)
    email = Varchar(length=320, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
