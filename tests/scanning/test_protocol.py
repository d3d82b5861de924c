"""clamd answers and addresses, without clamd."""

from __future__ import annotations

import pytest

from app.scanning import ClamdClient, ScanFailed, Verdict
from app.scanning.clamd import parse_scan_reply


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("stream: OK", Verdict(clean=True)),
        ("stream: Eicar-Test-Signature FOUND", Verdict(False, "Eicar-Test-Signature")),
        ("stream: Win.Test.EICAR_HDB-1 FOUND\n", Verdict(False, "Win.Test.EICAR_HDB-1")),
        (
            "stream: Heuristics.Limits.Exceeded.MaxScanSize FOUND",
            Verdict(False, "Heuristics.Limits.Exceeded.MaxScanSize"),
        ),
    ],
)
def test_verdicts(reply: str, verdict: Verdict) -> None:
    assert parse_scan_reply(reply) == verdict


@pytest.mark.parametrize(
    "reply",
    [
        "INSTREAM size limit exceeded. ERROR",
        "stream: Can't allocate memory ERROR",
        "stream: OK ERROR",
        "COMMAND READ TIMED OUT",
        "UNKNOWN COMMAND",
        "stream: FOUND",
        "stream: OKAY",
        "",
    ],
)
def test_errors_and_garbage_are_never_clean(reply: str) -> None:
    with pytest.raises(ScanFailed):
        parse_scan_reply(reply)


def test_limits_exceeded() -> None:
    assert Verdict(False, "Heuristics.Limits.Exceeded.MaxFileSize").limits_exceeded
    assert not Verdict(False, "Eicar-Test-Signature").limits_exceeded
    assert not Verdict(True).limits_exceeded


@pytest.mark.parametrize(
    "address",
    ["unix:/run/clamav/clamd.sock", "unix:///run/clamav/clamd.sock", "tcp://127.0.0.1:3310"],
)
def test_addresses(address: str) -> None:
    assert ClamdClient(address).address == address


@pytest.mark.parametrize(
    "address", ["", "/run/clamd.sock", "unix:", "tcp://localhost", "tcp://:3310", "http://x:1"]
)
def test_bad_addresses(address: str) -> None:
    with pytest.raises(ValueError):
        ClamdClient(address)
