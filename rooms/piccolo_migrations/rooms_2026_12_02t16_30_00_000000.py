"""The issuer beside the subject of preferences, account addresses and planned notices.

A subject is unique per identity provider only (see the participant.issuer migration),
yet preferences and the account address kept at login were keyed by (realm, subject):
two providers' users with the same subject shared one preference and one address.
Now they are keyed by (realm, issuer, subject), and a planned notice carries its
recipient's issuer so that the worker reads the right preferences when it sends.

Existing rows get the empty issuer. As for participants, the migration cannot know
the provider (that is configuration): at start the app gives the applicant rows
the sole applicant provider's issuer (``app.identity.issuers.assign_legacy_issuers``);
with several providers they wait for the operator (README) and, until then, match
nobody (the defaults and the intake's address apply). Staff rows keep the empty
issuer: staff are identified by their subject, as their participant rows and room
assignments are. The unique indexes follow in the next migration (raw steps run
before a migration's columns are added).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "contact_preference.issuer, account_address.issuer, notification.recipient_issuer:"
    " people are keyed by (realm, issuer, subject)"
)

COLUMNS = (
    ("ContactPreference", "contact_preference", "issuer"),
    ("AccountAddress", "account_address", "issuer"),
    ("Notification", "notification", "recipient_issuer"),
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rooms", description=DESCRIPTION
    )

    for class_name, tablename, column in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
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
