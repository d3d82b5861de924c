"""Which identity providers log applicants in, and the one to assume when it is clear.

A subject is unique per issuer only, so a room's applicant is keyed by both. A case
store that names no issuer at intake, and rows recorded before issuers were, mean
the applicant provider: that is unambiguous only while exactly one is configured
(public providers, and the development IdP when it is on). With several, intake
must name the issuer and old rows are left for the operator to assign.
"""

from __future__ import annotations

import logging

from app.identity.devidp import DEV_ISSUER
from app.settings import Settings

log = logging.getLogger("antragsraum.identity")


def applicant_issuers(settings: Settings) -> list[str]:
    """The issuers of every provider where citizens and businesses log in."""
    issuers = [p.issuer for p in settings.identity.providers if p.realm == "public"]
    if settings.identity.dev_idp:
        issuers.append(DEV_ISSUER)
    return issuers


def sole_applicant_issuer(settings: Settings) -> str | None:
    """The one applicant provider's issuer, or None when there are none or several."""
    issuers = set(applicant_issuers(settings))
    return issuers.pop() if len(issuers) == 1 else None


async def assign_legacy_issuers(settings: Settings) -> None:
    """At start: applicant-side rows without an issuer get the sole applicant provider's.

    Participants, and the applicants' preferences, account addresses and planned
    notices (staff rows keep the empty issuer, their key).

    With several applicant providers nothing is assumed: such rows match nobody
    (closed, not open to whichever provider hands out the same subject) until the
    operator assigns them (README, "Several identity providers").
    """
    from rooms.casestore.intake import do_assign_issuer, unassigned_participants
    from rooms.outbound.notify.legacy_issuers import (
        do_assign_notify_issuer,
        unassigned_notify_rows,
    )

    issuer = sole_applicant_issuer(settings)
    if issuer is not None:
        if assigned := await do_assign_issuer(issuer):
            log.info("assigned issuer %s to %d older participant rows", issuer, assigned)
        if assigned := await do_assign_notify_issuer(issuer):
            log.info("assigned issuer %s to %d older notification rows", issuer, assigned)
    else:
        if left := await unassigned_participants():
            log.warning(
                "%d participant rows have no issuer and several applicant providers are"
                " configured: they match nobody until their issuer is set",
                left,
            )
        if left := await unassigned_notify_rows():
            log.warning(
                "%d applicants' preferences, account addresses or notices have no issuer"
                " and several applicant providers are configured: they match nobody"
                " until their issuer is set",
                left,
            )
