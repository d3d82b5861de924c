"""What an uploaded file really is, and whether we accept it.

The type of an upload is decided by its content, never by the name or content type the
browser sent: ``detect`` reads the first bytes (``HEAD_SIZE``) and, for ZIP containers,
the central directory. ``check`` compares what was found with what the uploader claimed
and with the allow-list. ``inspect_zip`` refuses dangerous archives (bombs, zip slip,
nesting, encryption) from the central directory alone; nothing is ever extracted.

Rules worth knowing:

- Polyglots: a file that starts like a PDF but carries HTML/SVG markup anywhere is
  ``"html"`` and therefore refused: a valid page for a browser that sniffs it is
  treated as the more dangerous of its two faces (:mod:`rooms.files.structure`).
- A PNG or JPEG counts as one only when the whole file is proven to be one and ends
  at its end marker (``IEND``, ``EOI``); anything else, appended data included, is
  ``"unknown"`` (:mod:`rooms.files.structure` states the rule).
- Text is UTF-8 (optionally with BOM) without NUL and without control characters other
  than tab, CR and LF, and without markup or a shebang in the first ``HEAD_SIZE`` bytes.
  Other encodings (UTF-16, Latin-1) are ``"unknown"``.
- OOXML documents with a VBA project are ``"docm"`` / ``"xlsm"`` (not allowed).
- Other kinds are judged by their head (and ZIPs by their central directory);
  downloads are always attachments with ``nosniff``, and the scanner reads everything.
"""

from __future__ import annotations

import codecs
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rooms.files.structure import jpeg_is_whole, pdf_has_markup, png_is_whole
from rooms.files.zipcheck import ZipLimits, inspect_zip
from rooms.kernel.errors import Invalid

__all__ = ["Detected", "ZipLimits", "check", "detect", "inspect_zip", "verify"]

HEAD_SIZE = 8192
"""How many leading bytes are sniffed (magic numbers, markup, text validity)."""


@dataclass(frozen=True, slots=True)
class Detected:
    """What a file really is: a short kind, its canonical MIME type and extension."""

    kind: str
    mime: str
    extension: str


@dataclass(frozen=True, slots=True)
class _Kind:
    mime: str
    extension: str
    extensions: tuple[str, ...]
    mimes: tuple[str, ...]


_ZIP_MIMES = ("application/zip", "application/x-zip-compressed", "application/x-zip")

_KINDS: dict[str, _Kind] = {
    "pdf": _Kind("application/pdf", ".pdf", (".pdf",), ("application/pdf", "application/x-pdf")),
    "jpeg": _Kind(
        "image/jpeg",
        ".jpg",
        (".jpg", ".jpeg", ".jpe", ".jfif"),
        ("image/jpeg", "image/jpg", "image/pjpeg"),
    ),
    "png": _Kind("image/png", ".png", (".png",), ("image/png", "image/x-png")),
    "tiff": _Kind("image/tiff", ".tif", (".tif", ".tiff"), ("image/tiff", "image/tiff-fx")),
    "heic": _Kind(
        "image/heic",
        ".heic",
        (".heic", ".heif", ".hif"),
        ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"),
    ),
    "odt": _Kind(
        "application/vnd.oasis.opendocument.text",
        ".odt",
        (".odt",),
        ("application/vnd.oasis.opendocument.text", *_ZIP_MIMES),
    ),
    "docx": _Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        (".docx",),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", *_ZIP_MIMES),
    ),
    "xlsx": _Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
        (".xlsx",),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", *_ZIP_MIMES),
    ),
    "text": _Kind("text/plain", ".txt", (".txt", ".text"), ("text/plain",)),
    "zip": _Kind("application/zip", ".zip", (".zip",), _ZIP_MIMES),
    # Recognised but never allowed; named so that refusals say what was found.
    "docm": _Kind(
        "application/vnd.ms-word.document.macroEnabled.12",
        ".docm",
        (".docm",),
        ("application/vnd.ms-word.document.macroenabled.12",),
    ),
    "xlsm": _Kind(
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        ".xlsm",
        (".xlsm",),
        ("application/vnd.ms-excel.sheet.macroenabled.12",),
    ),
    "html": _Kind(
        "text/html", ".html", (".html", ".htm", ".xhtml"), ("text/html", "application/xhtml+xml")
    ),
    "svg": _Kind("image/svg+xml", ".svg", (".svg", ".svgz"), ("image/svg+xml",)),
    "xml": _Kind("application/xml", ".xml", (".xml",), ("application/xml", "text/xml")),
    "script": _Kind("text/x-script", ".sh", (".sh", ".bash", ".py", ".pl"), ()),
    "exe": _Kind(
        "application/x-executable",
        ".exe",
        (".exe", ".dll", ".com", ".scr", ".sys", ".so", ".dylib", ".bin"),
        (),
    ),
    "ole": _Kind(
        "application/x-ole-storage",
        ".doc",
        (".doc", ".xls", ".ppt", ".msi", ".msg"),
        ("application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"),
    ),
    "gif": _Kind("image/gif", ".gif", (".gif",), ("image/gif",)),
    "webp": _Kind("image/webp", ".webp", (".webp",), ("image/webp",)),
    "avif": _Kind("image/avif", ".avif", (".avif",), ("image/avif",)),
    "archive": _Kind(
        "application/octet-stream",
        ".bin",
        (".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz"),
        (),
    ),
    "empty": _Kind("application/x-empty", "", (), ()),
    "unknown": _Kind("application/octet-stream", ".bin", (), ()),
}

ALLOWED_KINDS = frozenset({"pdf", "jpeg", "png", "tiff", "heic", "odt", "docx", "xlsx", "text"})
"""Kinds accepted as attachments; ``"zip"`` only when the caller allows archives."""

ZIP_KINDS = frozenset({"odt", "docx", "xlsx", "docm", "xlsm", "zip"})
"""Kinds that are ZIP containers and must pass ``inspect_zip`` before they are stored."""

# Claimed content types that carry no information (browsers send them when unsure).
_VAGUE_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)


def _detected(kind: str) -> Detected:
    info = _KINDS[kind]
    return Detected(kind=kind, mime=info.mime, extension=info.extension)


# --------------------------------------------------------------------------- detect

_EXE_MAGICS = (
    b"MZ",  # DOS / Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32, big endian
    b"\xfe\xed\xfa\xcf",  # Mach-O 64, big endian
    b"\xce\xfa\xed\xfe",  # Mach-O 32, little endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64, little endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal (also Java class files)
    b"\xca\xfe\xba\xbf",  # Mach-O universal, 64-bit
    b"\x00asm",  # WebAssembly
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
)
_SIMPLE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"Rar!\x1a\x07", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"BZh", "archive"),
    (b"\xfd7zXZ\x00", "archive"),
)
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})

# Kinds whose whole file must be proven (see module docstring).
_PROVEN: dict[str, Callable[[BinaryIO], bool]] = {"png": png_is_whole, "jpeg": jpeg_is_whole}
# Markup that makes "text" something a browser or an interpreter would act on.
_SVG_MARKERS = (b"<svg",)
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<iframe", b"<body")
# Tags that, at the very start of a file, make browsers sniff HTML (WHATWG MIME sniffing).
_HTML_START_TAGS = (
    b"<head",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<br",
    b"<p",
    b"<!--",
)
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_WHITESPACE = b" \t\r\n\x0c"


def detect(path: Path) -> Detected:
    """Classify ``path`` by its content: magic bytes, ZIP directory, text and markup."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_SIZE)
        at_eof = not fh.read(1)
    if not head:
        return _detected("empty")
    if head.startswith(_EXE_MAGICS):
        return _detected("exe")
    lower = head.lower()
    if head.startswith(b"%PDF-"):
        return _detected("html" if _whole(path, pdf_has_markup) else "pdf")
    for magic, kind in _SIMPLE_MAGICS:
        if head.startswith(magic):
            proven = _PROVEN.get(kind)
            return _detected("unknown" if proven and not _whole(path, proven) else kind)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _detected("webp")
    iso = _iso_bmff_kind(head)
    if iso is not None:
        return _detected(iso)
    if head.startswith(_ZIP_MAGICS):
        return _detected(_zip_kind(path))
    return _detected(_text_kind(head, lower, at_eof=at_eof))


def _whole(path: Path, test: Callable[[BinaryIO], bool]) -> bool:
    with path.open("rb") as fh:
        return test(fh)


def _iso_bmff_kind(head: bytes) -> str | None:
    """HEIC/HEIF (or AVIF) from an ISO BMFF ``ftyp`` box; ``None`` if it is no such box."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    (size,) = struct.unpack(">I", head[:4])
    if size < 16 or size > len(head) or size % 4:
        return None
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, size, 4)}
    brands = {major} | compatible
    if brands & _AVIF_BRANDS and major not in _HEIC_BRANDS:
        return "avif"
    if major in _HEIC_BRANDS or (major in _HEIF_BRANDS and brands & (_HEIC_BRANDS | _HEIF_BRANDS)):
        return "heic"
    return "unknown"


def _zip_kind(path: Path) -> str:
    """ODT, DOCX, XLSX (or their macro variants) or a plain ZIP, from the central directory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if infos and _is_odt_mimetype(zf, infos[0]):
                return "odt"
            if "[Content_Types].xml" in names:
                word = any(name.startswith("word/") for name in names)
                excel = any(name.startswith("xl/") for name in names)
                macros = any(name.lower().endswith("vbaproject.bin") for name in names)
                if word and not excel:
                    return "docm" if macros else "docx"
                if excel and not word:
                    return "xlsm" if macros else "xlsx"
            return "zip"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return "unknown"


def _is_odt_mimetype(zf: zipfile.ZipFile, first: zipfile.ZipInfo) -> bool:
    """ODF puts an uncompressed ``mimetype`` entry first; read it only if it is that small."""
    if (
        first.filename != "mimetype"
        or first.compress_type != zipfile.ZIP_STORED
        or first.flag_bits & 0x1
        or first.file_size != len(_ODT_MIMETYPE)
    ):
        return False
    with zf.open(first) as entry:
        return entry.read(len(_ODT_MIMETYPE) + 1) == _ODT_MIMETYPE


def _text_kind(head: bytes, lower: bytes, *, at_eof: bool) -> str:
    """``text``, or the markup/script kind it really is, or ``unknown`` for binary data."""
    start = lower.removeprefix(codecs.BOM_UTF8).lstrip(_TEXT_WHITESPACE)
    if start.startswith(b"#!"):
        return "script"
    if any(marker in lower for marker in _SVG_MARKERS):
        return "svg"
    if start.startswith(b"<?xml"):
        return "xml"
    if any(marker in lower for marker in _HTML_MARKERS):
        return "html"
    if any(
        start.startswith(tag) and start[len(tag) : len(tag) + 1] in (b" ", b">")
        for tag in _HTML_START_TAGS
    ):
        return "html"
    if b"<?xml" in lower:
        return "xml"
    if b"\x00" in head:
        return "unknown"
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=at_eof)
    except UnicodeDecodeError:
        return "unknown"
    text = text.removeprefix("\ufeff")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
        return "unknown"
    return "text"


# ---------------------------------------------------------------------------- check


def check(
    detected: Detected, *, claimed_name: str, claimed_type: str | None, allow_zip: bool
) -> Detected:
    """Accept ``detected`` or raise ``Invalid({"file": code})``.

    Codes, in the order they are tried:

    - ``type_mismatch:<kind>``: the extension of ``claimed_name`` or ``claimed_type``
      (ignored when empty or ``application/octet-stream``) does not fit the found kind.
      A name without an extension claims nothing.
    - ``zip_not_allowed``: a plain ZIP archive, and archives are not allowed here.
    - ``type_not_allowed:<kind>``: the kind is not on the allow-list.
    """
    info = _KINDS.get(detected.kind, _KINDS["unknown"])
    extension = claimed_extension(claimed_name)
    if extension and extension not in info.extensions:
        raise Invalid({"file": f"type_mismatch:{detected.kind}"})
    mime = (claimed_type or "").split(";", 1)[0].strip().lower()
    if mime not in _VAGUE_TYPES and mime not in info.mimes:
        raise Invalid({"file": f"type_mismatch:{detected.kind}"})
    if detected.kind == "zip" and not allow_zip:
        raise Invalid({"file": "zip_not_allowed"})
    if detected.kind not in ALLOWED_KINDS and not (detected.kind == "zip" and allow_zip):
        raise Invalid({"file": f"type_not_allowed:{detected.kind}"})
    return detected


def claimed_extension(name: str) -> str:
    """The lower-case extension of a client file name (``".pdf"``), or ``""`` if it has none.

    Deliberately broad: any suffix after the last dot counts unless it contains
    whitespace or only digits (``"Antrag v1.2"``, ``"Protokoll 3. Sitzung"`` claim
    nothing). A narrower rule would let text through under names such as ``x.hta`` or
    ``x.appref-ms`` that Windows executes; the price is that ``"Dr.Schmidt"`` without a
    real extension is a mismatch.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem.strip(". ") or not suffix:
        return ""
    if any(ch.isspace() for ch in suffix) or suffix.isdigit():
        return ""
    return "." + suffix.lower()


# --------------------------------------------------------------------------- verify


def verify(
    path: Path,
    *,
    claimed_name: str,
    claimed_type: str | None,
    allow_zip: bool,
    limits: ZipLimits | None = None,
) -> Detected:
    """``detect``, ``check`` and, for ZIP containers, ``inspect_zip`` in one call."""
    detected = check(
        detect(path), claimed_name=claimed_name, claimed_type=claimed_type, allow_zip=allow_zip
    )
    if detected.kind in ZIP_KINDS:
        inspect_zip(path, limits)
    return detected
