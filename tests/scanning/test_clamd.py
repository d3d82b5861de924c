"""Scanning against the development clamd (scripts/clamd/clamd.conf)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.scanning import DEVELOPMENT_ADDRESS, ClamdClient, ScanFailed, Verdict
from tests.scanning.conftest import conf_value, eicar, size_value

CLEAN_PDF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def zip_of(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_eicar(verdict: Verdict) -> None:
    assert verdict.clean is False
    assert verdict.signature is not None
    assert "EICAR" in verdict.signature.upper()
    assert not verdict.limits_exceeded


def test_development_address_matches_the_config() -> None:
    assert "unix:" + conf_value("LocalSocket") == DEVELOPMENT_ADDRESS
    assert size_value("StreamMaxLength") > 25 * 1024 * 1024  # above our per-file limit


async def test_ping_and_version(clamd: ClamdClient) -> None:
    assert await clamd.ping() is True
    assert (await clamd.version()).startswith("ClamAV ")


async def test_eicar_is_infected(clamd: ClamdClient) -> None:
    assert_eicar(await clamd.scan_bytes(eicar()))


async def test_eicar_split_across_many_small_chunks(clamd_address: str) -> None:
    client = ClamdClient(clamd_address, chunk_size=7)

    async def chunks() -> AsyncIterator[bytes]:
        yield b"prefix "
        yield eicar()[:30]
        yield eicar()[30:]

    assert_eicar(await client.scan_stream(chunks()))


async def test_eicar_inside_a_zip_is_infected(clamd: ClamdClient) -> None:
    archive = zip_of(("readme.txt", b"nothing to see"), ("docs/eicar.com", eicar()))
    assert_eicar(await clamd.scan_bytes(archive))


async def test_eicar_inside_a_nested_zip_is_infected(clamd: ClamdClient) -> None:
    archive = zip_of(("outer.zip", zip_of(("eicar.com", eicar()))))
    assert_eicar(await clamd.scan_bytes(archive))


async def test_clean_pdf_is_clean(clamd: ClamdClient) -> None:
    assert await clamd.scan_bytes(CLEAN_PDF) == Verdict(clean=True, signature=None)


async def test_empty_stream_is_clean(clamd: ClamdClient) -> None:
    assert (await clamd.scan_bytes(b"")).clean is True


async def test_scan_file(clamd: ClamdClient, tmp_path: Path) -> None:
    infected, clean = tmp_path / "a.com", tmp_path / "b.pdf"
    infected.write_bytes(eicar())
    clean.write_bytes(CLEAN_PDF * 1000)  # several INSTREAM chunks
    assert_eicar(await clamd.scan_file(infected))
    assert (await clamd.scan_file(clean)).clean is True


async def test_stream_over_stream_max_length_fails(clamd: ClamdClient) -> None:
    limit = size_value("StreamMaxLength")
    block = b"\0" * (1024 * 1024)

    async def oversized() -> AsyncIterator[bytes]:
        for _ in range(limit // len(block)):
            yield block
        yield block[: limit % len(block) + 1]

    with pytest.raises(ScanFailed, match="size limit exceeded"):
        await clamd.scan_stream(oversized())


async def test_stream_of_exactly_stream_max_length_is_scanned(clamd: ClamdClient) -> None:
    limit = size_value("StreamMaxLength")
    assert (await clamd.scan_bytes(b"\0" * limit)).clean is True


async def test_client_side_limit_stops_before_sending(clamd_address: str) -> None:
    client = ClamdClient(clamd_address, max_stream_size=1000)
    with pytest.raises(ScanFailed, match="StreamMaxLength"):
        await client.scan_bytes(b"x" * 1001)
    assert (await client.scan_bytes(b"x" * 1000)).clean is True


async def test_archive_expanding_beyond_max_scan_size_is_not_clean(clamd: ClamdClient) -> None:
    """A small zip of more than MaxScanSize zeros: reported, not silently truncated."""
    archive = zip_of(("zeros.bin", b"\0" * (size_value("MaxScanSize") + 1024 * 1024)))
    verdict = await clamd.scan_bytes(archive)
    assert verdict.clean is False
    assert verdict.limits_exceeded, verdict.signature
