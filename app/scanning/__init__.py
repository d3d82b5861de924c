"""Virus scanning of attachments with ClamAV (clamd INSTREAM); fail closed."""

from app.scanning.clamd import (
    ClamdClient,
    ClamdError,
    ScanFailed,
    ScannerUnavailable,
    Verdict,
)

#: Where the development/test clamd listens (scripts/clamd/clamd.conf, started
#: by ``make clamd``).
DEVELOPMENT_ADDRESS = "unix:/run/clamav/clamd-antragsraum.sock"

__all__ = [
    "DEVELOPMENT_ADDRESS",
    "ClamdClient",
    "ClamdError",
    "ScanFailed",
    "ScannerUnavailable",
    "Verdict",
]
