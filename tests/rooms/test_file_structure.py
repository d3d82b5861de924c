"""Nothing rides behind a valid start: whole-file proofs for PNG, JPEG and PDF."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest

from rooms.files import structure
from rooms.files.filetypes import detect
from rooms.files.structure import jpeg_is_whole, pdf_has_markup, png_is_whole

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ZIP_END = b"PK\x05\x06" + b"\x00" * 18


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(idat: bytes = zlib.compress(b"\x00\x80"), *, parts: int = 1) -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    step = max(1, len(idat) // parts)
    idats = b"".join(_chunk(b"IDAT", idat[i : i + step]) for i in range(0, len(idat), step))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + idats + _chunk(b"IEND", b"")


def _segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


def jpeg(entropy: bytes = b"\x12\xff\x00\x34\xff\xd0\x56", *, scans: int = 1) -> bytes:
    """SOI, an EXIF APP1 holding a thumbnail (with its own EOI), tables, scans, EOI."""
    thumbnail = b"\xff\xd8" + _segment(0xDB, b"\x00" * 65) + b"\xff\xd9"
    head = b"\xff\xd8" + _segment(0xE1, b"Exif\x00\x00" + thumbnail)
    head += _segment(0xDB, b"\x00" + bytes(64)) + _segment(
        0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    )
    head += _segment(0xC4, b"\x00" + bytes(16))
    sos = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return head + (sos + entropy) * scans + b"\xff\xff\xd9"  # a fill byte before EOI


def pdf(size: int = 20_000, *, insert: bytes = b"", at: int = 0) -> bytes:
    body = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * (size - 30) + b"\n%%EOF\n")
    body[at:at] = insert
    return bytes(body)


def test_the_builders_make_whole_files() -> None:
    assert png_is_whole(io.BytesIO(png())) and png_is_whole(io.BytesIO(png(parts=3)))
    assert jpeg_is_whole(io.BytesIO(jpeg())) and jpeg_is_whole(io.BytesIO(jpeg(scans=3)))
    assert not pdf_has_markup(io.BytesIO(pdf()))


@pytest.mark.parametrize(
    "data",
    [png() + HTML, png() + ZIP_END, png() + b"\x00", png()[:-1], png()[:-20],
     png().replace(b"IHDR", b"IHDr"), png()[:-8] + b"\x00\x00\x00\x00" + png()[-4:]],
    ids=["html-after-iend", "zip-after-iend", "one-byte", "truncated", "no-iend", "no-ihdr",
         "bad-crc"],
)  # fmt: skip
def test_a_png_with_anything_after_iend_or_a_broken_chunk_is_unproven(data: bytes) -> None:
    assert not png_is_whole(io.BytesIO(data))


@pytest.mark.parametrize(
    "data",
    [jpeg() + HTML, jpeg() + ZIP_END, jpeg() + b"\x00", jpeg()[:-2], jpeg()[:-10],
     b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9" + HTML],
    ids=["html-after-eoi", "zip-after-eoi", "one-byte", "no-eoi", "truncated-scan",
         "jfif-then-html"],
)  # fmt: skip
def test_a_jpeg_with_anything_after_eoi_is_unproven(data: bytes) -> None:
    assert not jpeg_is_whole(io.BytesIO(data))


def test_a_marker_split_across_read_blocks_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(structure, "BLOCK", 7)  # every boundary lands somewhere new
    for entropy in (b"\x01" * 40 + b"\xff\x00" * 9 + b"\xff\xd3" + b"\x02" * 13, b"\xff\x00" * 20):
        assert jpeg_is_whole(io.BytesIO(jpeg(entropy, scans=2)))
        assert not jpeg_is_whole(io.BytesIO(jpeg(entropy) + b"\xff"))
    for at in range(9000, 9010):  # the marker straddles a block boundary somewhere here
        assert pdf_has_markup(io.BytesIO(pdf(insert=b"<HTML>", at=at)))


@pytest.mark.parametrize("at", [100, 8192 - 3, 8192, 15_000, 19_990])
def test_markup_anywhere_in_a_pdf_makes_it_html(tmp_path: Path, at: int) -> None:
    path = tmp_path / "antrag.pdf"
    path.write_bytes(pdf(insert=b"<Script>", at=at))
    assert detect(path).kind == "html"
    path.write_bytes(pdf())
    assert detect(path).kind == "pdf"


def test_detect_calls_an_image_with_appended_data_unknown(tmp_path: Path) -> None:
    for name, whole in (("a.png", png()), ("a.jpg", jpeg())):
        path = tmp_path / name
        path.write_bytes(whole)
        assert detect(path).kind in {"png", "jpeg"}
        path.write_bytes(whole + HTML)
        assert detect(path).kind == "unknown"


def test_large_files_are_checked_in_constant_memory(tmp_path: Path) -> None:
    noise = os.urandom(20 * 1024 * 1024)
    stuffed = noise.replace(b"\xff", b"\xff\x00")  # what an encoder writes into a scan
    files = {
        png_is_whole: png(noise, parts=20),
        jpeg_is_whole: jpeg(stuffed),
        pdf_has_markup: b"%PDF-1.7\n" + noise.replace(b"<", b"("),
    }
    for check, data in files.items():
        path = tmp_path / check.__name__
        path.write_bytes(data)
        del data
        tracemalloc.start()
        with path.open("rb") as fh:
            result = check(fh)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result is (check is not pdf_has_markup)
        assert peak < 8 * structure.BLOCK, (check.__name__, peak)  # 2 MB for 20 MB files
