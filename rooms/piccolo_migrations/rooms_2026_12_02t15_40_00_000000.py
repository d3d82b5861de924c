"""participant.issuer: an applicant is (issuer, subject), not the subject alone.

Two identity providers may hand out the same subject; matching on the subject alone
let one provider's user into another's room. Existing rows get the empty issuer,
and the gate matches an issuer exactly, so an old row matches nobody at first (it
fails closed). The migration cannot know which provider the rows came from (that is
configuration, which the domain does not read): the app assigns them at start when
exactly one provider logs applicants in, so they can only have come from it
(``app.identity.issuers.assign_legacy_issuers``); with several providers they wait
for the operator (README). Caseworker rows keep the empty issuer: staff are matched
within their authority.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "participant.issuer: applicants are keyed by (issuer, subject)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rooms", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Participant",
        tablename="participant",
        column_name="issuer",
        db_column_name="issuer",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 255,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
