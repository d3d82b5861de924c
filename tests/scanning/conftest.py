"""clamd for the scanning tests: required, never skipped (``make clamd`` starts it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.scanning import DEVELOPMENT_ADDRESS, ClamdClient

CLAMD_CONF = Path(__file__).resolve().parents[2] / "scripts" / "clamd" / "clamd.conf"


def eicar() -> bytes:
    """The EICAR test string, assembled so the literal never sits in the repository."""
    parts = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}", "$EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*")
    return "".join(parts).encode("ascii")


def conf_value(key: str) -> str:
    for line in CLAMD_CONF.read_text().splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == key:
            return words[1]
    raise KeyError(key)


def size_value(key: str) -> int:
    """A clamd size option (``30M``, ``512K``, ``1000``) in bytes."""
    value = conf_value(key)
    factor = {"K": 1024, "M": 1024 * 1024}.get(value[-1].upper(), 1)
    return int(value.rstrip("kKmM")) * factor


@pytest.fixture(scope="session")
async def clamd_address() -> str:
    """The address of the running development clamd; fails when it does not answer."""
    address = os.environ.get("ANTRAGSRAUM_CLAMD_ADDRESS", DEVELOPMENT_ADDRESS)
    if not await ClamdClient(address, connect_timeout=2, io_timeout=5).ping():
        pytest.fail(
            f"clamd is required for the scanning tests and does not answer PING at {address}:"
            " run `make clamd` (as root)"
        )
    return address


@pytest.fixture
def clamd(clamd_address: str) -> ClamdClient:
    return ClamdClient(clamd_address, io_timeout=10, scan_timeout=30)
