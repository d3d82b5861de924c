"""Whole-file proofs that a PNG, a JPEG or a PDF is only that, in constant memory.

The head decides what a file claims to be (:mod:`rooms.files.filetypes`); these
checks read the rest, so that nothing rides along behind a valid start. The rule:

- PNG: the signature, then chunks (length, type, data, CRC) with ``IHDR`` first, each
  CRC correct, up to ``IEND``, and the file ends right after ``IEND``'s CRC.
- JPEG: ``SOI``, then marker segments walked by their lengths (an EXIF thumbnail
  inside ``APP1`` is skipped with its segment), entropy-coded data after each ``SOS``
  up to the next marker, until ``EOI``; the file ends right after ``EOI``. (Phones
  that append a video after ``EOI``, "motion photos", are refused too: what follows
  the image is exactly what this rule keeps out.)
- PDF: no HTML or SVG markup (``<html``, ``<script``, ``<svg``, ``<iframe``, ``<body``,
  ``<!doctype html``, any case) anywhere in the file, not only in the first 8 KB.
  Content streams are usually compressed, so markup in clear is a page for a browser
  that sniffs, not part of a document.

Files are read in blocks of ``BLOCK`` bytes (the PNG CRCs and the JPEG entropy scan
included), so memory stays constant and a 25 MB file takes milliseconds: the inner
loops are ``zlib.crc32``, ``bytes.find`` and ``bytes.lower``, all in C.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

BLOCK = 256 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_MARKUP = (b"<html", b"<script", b"<svg", b"<iframe", b"<body", b"<!doctype html")


class _Unproven(Exception):
    """The file is not (only) what it starts as."""


def _read_exactly(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise _Unproven
    return data


def _at_end(fh: BinaryIO) -> bool:
    return fh.read(1) == b""


def png_is_whole(fh: BinaryIO) -> bool:
    """Whether ``fh`` (at its start) is a PNG and nothing else (see the module)."""
    try:
        if _read_exactly(fh, 8) != PNG_SIGNATURE:
            return False
        first = True
        while True:
            length, kind = struct.unpack(">I4s", _read_exactly(fh, 8))
            if length > 0x7FFFFFFF or (first and kind != b"IHDR"):
                return False
            first = False
            crc = zlib.crc32(kind)
            left = length
            while left:
                block = _read_exactly(fh, min(left, BLOCK))
                crc = zlib.crc32(block, crc)
                left -= len(block)
            if struct.unpack(">I", _read_exactly(fh, 4))[0] != crc:
                return False
            if kind == b"IEND":
                return length == 0 and _at_end(fh)
    except _Unproven:
        return False


# Markers without a length: TEM and RST0-7 (SOI and EOI are handled apart).
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_is_whole(fh: BinaryIO) -> bool:
    """Whether ``fh`` (at its start) is a JPEG and nothing else (see the module)."""
    try:
        if _read_exactly(fh, 2) != b"\xff\xd8":
            return False
        while True:
            if _read_exactly(fh, 1) != b"\xff":
                return False
            marker = 0xFF
            while marker == 0xFF:  # fill bytes before a marker
                marker = _read_exactly(fh, 1)[0]
            if marker == 0xD9:  # EOI
                return _at_end(fh)
            if marker in _STANDALONE:
                continue
            if marker in (0x00, 0xD8):
                return False
            (length,) = struct.unpack(">H", _read_exactly(fh, 2))
            if length < 2:
                return False
            _skip(fh, length - 2)
            if marker == 0xDA:  # SOS: entropy-coded data follows
                _to_next_marker(fh)
    except _Unproven:
        return False


def _skip(fh: BinaryIO, n: int) -> None:
    position = fh.tell()
    end = fh.seek(0, 2)
    if position + n > end:
        raise _Unproven
    fh.seek(position + n)


def _to_next_marker(fh: BinaryIO) -> None:
    """Leave ``fh`` at the ``0xFF`` of the first marker after entropy-coded data.

    In the data, ``FF 00`` is a stuffed byte and ``FF D0``-``FF D7`` are restart
    markers; any other ``FF xx`` ends it. The file ending first is no JPEG.
    """
    while True:
        start = fh.tell()
        block = fh.read(BLOCK)
        if len(block) < 2:
            raise _Unproven
        i = block.find(b"\xff")
        while i != -1 and i + 1 < len(block):
            following = block[i + 1]
            if following != 0x00 and not 0xD0 <= following <= 0xD7 and following != 0xFF:
                fh.seek(start + i)
                return
            i = block.find(b"\xff", i + 1 if following == 0xFF else i + 2)
        # Keep a trailing FF for the next block, so a marker split across blocks is seen.
        fh.seek(start + len(block) - (1 if block.endswith(b"\xff") else 0))
        if len(block) < BLOCK:
            raise _Unproven


def pdf_has_markup(fh: BinaryIO) -> bool:
    """Whether HTML or SVG markup appears anywhere in ``fh`` (case-insensitive)."""
    overlap = max(len(m) for m in PDF_MARKUP) - 1
    tail = b""
    while block := fh.read(BLOCK):
        window = tail + block.lower()
        if any(marker in window for marker in PDF_MARKUP):
            return True
        tail = window[-overlap:]
    return False
