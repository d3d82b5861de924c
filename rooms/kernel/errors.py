"""What can go wrong in a domain action, in terms the web and API layers translate."""

from __future__ import annotations


class DomainError(Exception):
    """Base of all domain refusals."""


class NotFound(DomainError):
    """Missing, or not yours: the two are indistinguishable by design."""


class NotAllowed(DomainError):
    """The actor may see the room but not do this (e.g. an applicant creating a request)."""


class Quarantined(DomainError):
    """The file is not (yet) known to be clean: nobody may download it."""


class RoomClosed(DomainError):
    """The room is closed and therefore read-only."""


class TrustLevelTooLow(DomainError):
    """The login's trust level is below what the room requires."""

    def __init__(self, required: str) -> None:
        super().__init__(required)
        self.required = required


class Invalid(DomainError):
    """Input failed validation; ``errors`` maps a field name to a message key."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
