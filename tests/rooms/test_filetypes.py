"""Real file types from content, the allow-list, and ZIP safety (no database needed)."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from rooms.files.filetypes import (
    Detected,
    ZipLimits,
    check,
    claimed_extension,
    detect,
    inspect_zip,
    verify,
)
from rooms.kernel.errors import Invalid

# ------------------------------------------------------------------------- builders


def _png() -> bytes:
    """A real 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x80")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
TIFF_LE = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16
TIFF_BE = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 16


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    size = 16 + 4 * len(compatible)
    return struct.pack(">I", size) + b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)


def _zip(entries: dict[str, bytes], *, first: tuple[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if first is not None:
            zf.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _odt() -> bytes:
    return _zip(
        {"content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<m/>"},
        first=("mimetype", b"application/vnd.oasis.opendocument.text"),
    )


def _ooxml(folder: str, extra: dict[str, bytes] | None = None) -> bytes:
    main = "word/document.xml" if folder == "word" else "xl/workbook.xml"
    entries = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "_rels/.rels": b"<Relationships/>",
        main: b"<doc/>",
        **(extra or {}),
    }
    return _zip(entries)


Write = Callable[[bytes], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    counter = iter(range(10_000))

    def _write(data: bytes) -> Path:
        path = tmp_path / f"upload-{next(counter)}"
        path.write_bytes(data)
        return path

    return _write


def _code(exc: pytest.ExceptionInfo[Invalid]) -> str:
    return exc.value.errors["file"]


# -------------------------------------------------------------------------- allowed

ALLOWED = [
    ("pdf", PDF, "Antrag.pdf", "application/pdf"),
    ("jpeg", JPEG, "Foto.JPG", "image/jpeg"),
    ("jpeg", JPEG, "Foto.jpeg", None),
    ("png", _png(), "Scan.png", "image/png"),
    ("tiff", TIFF_LE, "Fax.tif", "image/tiff"),
    ("tiff", TIFF_BE, "Fax.tiff", None),
    ("heic", _ftyp(b"heic", b"mif1", b"heic"), "IMG_0001.HEIC", "image/heic"),
    ("heic", _ftyp(b"mif1", b"mif1", b"heic"), "Bild.heif", "image/heif"),
    ("odt", _odt(), "Brief.odt", "application/vnd.oasis.opendocument.text"),
    (
        "docx",
        _ooxml("word"),
        "Brief.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xlsx", _ooxml("xl"), "Tabelle.xlsx", "application/octet-stream"),
    ("text", "Sehr geehrte Damen und Herren,\r\n\tÄnderung ✓\n".encode(), "Notiz.txt", None),
    ("text", b"\xef\xbb\xbf  Hallo mit BOM\n", "notiz.text", "text/plain; charset=utf-8"),
    ("text", b"Anlage ohne Endung", "Anlage", ""),
]


@pytest.mark.parametrize(("kind", "data", "name", "claimed"), ALLOWED)
def test_allowed_types_are_detected_and_accepted(
    write: Write, kind: str, data: bytes, name: str, claimed: str | None
) -> None:
    path = write(data)
    found = detect(path)
    assert found.kind == kind
    assert check(found, claimed_name=name, claimed_type=claimed, allow_zip=False) == found
    assert verify(path, claimed_name=name, claimed_type=claimed, allow_zip=False) == found


def test_detected_carries_canonical_mime_and_extension(write: Write) -> None:
    assert detect(write(_png())) == Detected("png", "image/png", ".png")
    assert detect(write(PDF)) == Detected("pdf", "application/pdf", ".pdf")
    assert detect(write(JPEG)).extension == ".jpg"


def test_text_cut_inside_a_multibyte_character_at_the_head_boundary_is_still_text(
    write: Write,
) -> None:
    data = b"a" * 8191 + "ä".encode() + b" und weiter\n" * 10
    assert detect(write(data)).kind == "text"


def test_zip_only_when_allowed(write: Write) -> None:
    path = write(_zip({"a.txt": b"hallo"}))
    found = detect(path)
    assert found.kind == "zip"
    with pytest.raises(Invalid) as exc:
        check(found, claimed_name="Anlagen.zip", claimed_type="application/zip", allow_zip=False)
    assert _code(exc) == "zip_not_allowed"
    assert check(found, claimed_name="Anlagen.zip", claimed_type=None, allow_zip=True) == found


# ------------------------------------------------------------------------- refused


def test_png_that_is_really_html_is_a_type_mismatch(write: Write) -> None:
    found = detect(write(b"<!DOCTYPE html><html><script>alert(1)</script></html>"))
    assert found.kind == "html"
    with pytest.raises(Invalid) as exc:
        check(found, claimed_name="bild.png", claimed_type="image/png", allow_zip=False)
    assert _code(exc) == "type_mismatch:html"


def test_real_png_claimed_as_pdf_type_is_a_type_mismatch(write: Write) -> None:
    with pytest.raises(Invalid) as exc:
        check(
            detect(write(_png())),
            claimed_name="scan",
            claimed_type="application/pdf",
            allow_zip=False,
        )
    assert _code(exc) == "type_mismatch:png"


def test_pdf_html_polyglot_is_refused(write: Write) -> None:
    data = PDF[:9] + b"<html><body><script>fetch('/steal')</script></body></html>\n" + PDF[9:]
    found = detect(write(data))
    assert found.kind == "html"
    with pytest.raises(Invalid) as exc:
        check(found, claimed_name="Bescheid.pdf", claimed_type="application/pdf", allow_zip=False)
    assert _code(exc) == "type_mismatch:html"


@pytest.mark.parametrize(
    ("data", "kind", "own_name"),
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "svg", "a.svg"),
        (b"\n  <SVG onload=alert(1)>", "svg", "a.svg"),
        (b"\xef\xbb\xbf \r\n<!doctype html><p>hi", "html", "a.html"),
        (b"<p>hello</p>", "html", "a.htm"),
        (b"Dear all,\nsee <script>alert(1)</script>", "html", "a.html"),
        (b"<?xml version='1.0'?><root/>", "xml", "a.xml"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50, "exe", "setup.exe"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "exe", "tool.so"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 50, "exe", "app.bin"),
        (b"#!/bin/sh\nrm -rf ~\n", "script", "install.sh"),
        (b"  #!/usr/bin/env python3\nprint(1)\n", "script", "x.py"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "ole", "alt.doc"),
        (b"GIF89a\x01\x00\x01\x00", "gif", "a.gif"),
        (_ftyp(b"avif", b"avif", b"mif1", b"miaf"), "avif", "a.avif"),
        (b"\x00\x01\x02binary\xff\xfe", "unknown", "a"),
        (b"Gr\xfc\xdfe aus Latin-1", "unknown", "a"),
        (b"bell \x07 in text", "unknown", "a"),
        (b"", "empty", "a"),
        (_ooxml("word", {"word/vbaProject.bin": b"\x00" * 10}), "docm", "makro.docm"),
    ],
)
def test_dangerous_or_unlisted_types_are_refused(
    write: Write, data: bytes, kind: str, own_name: str
) -> None:
    found = detect(write(data))
    assert found.kind == kind
    with pytest.raises(Invalid) as exc:
        check(found, claimed_name=own_name, claimed_type=None, allow_zip=True)
    assert _code(exc) == f"type_not_allowed:{kind}"
    with pytest.raises(Invalid) as exc:
        check(found, claimed_name="harmlos.pdf", claimed_type=None, allow_zip=True)
    assert _code(exc) == f"type_mismatch:{kind}"


def test_shell_script_named_txt_is_refused(write: Write) -> None:
    with pytest.raises(Invalid) as exc:
        verify(
            write(b"#!/bin/bash\ncurl x|sh\n"),
            claimed_name="a.txt",
            claimed_type=None,
            allow_zip=False,
        )
    assert _code(exc) == "type_mismatch:script"


def test_text_with_an_extension_windows_executes_is_refused(write: Write) -> None:
    with pytest.raises(Invalid) as exc:
        verify(write(b"x"), claimed_name="Rechnung.hta", claimed_type=None, allow_zip=False)
    assert _code(exc) == "type_mismatch:text"


def test_batch_file_is_text_but_its_extension_does_not_fit(write: Write) -> None:
    with pytest.raises(Invalid) as exc:
        verify(
            write(b"del /q C:\\*\r\n"), claimed_name="run.bat", claimed_type=None, allow_zip=False
        )
    assert _code(exc) == "type_mismatch:text"


def test_docx_disguised_as_pdf_is_a_type_mismatch(write: Write) -> None:
    with pytest.raises(Invalid) as exc:
        verify(write(_ooxml("word")), claimed_name="a.pdf", claimed_type=None, allow_zip=False)
    assert _code(exc) == "type_mismatch:docx"


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("a.PDF", ".pdf"),
        ("C:\\Users\\x\\scan.Jpeg", ".jpeg"),
        ("Antrag v1.2", ""),
        ("README", ""),
        (".bashrc", ""),
        ("bericht.pdf.", ".pdf"),
        ("a.tar.gz", ".gz"),
        ("Protokoll 3. Sitzung", ""),
        ("Protokoll 3.Sitzung", ".sitzung"),
        ("evil.appref-ms", ".appref-ms"),
        ("x.HTA ", ".hta"),
    ],
)
def test_claimed_extension(name: str, extension: str) -> None:
    assert claimed_extension(name) == extension


# ------------------------------------------------------------------------- zip safety


def test_harmless_zip_and_office_files_pass_inspection(write: Write) -> None:
    for data in (_zip({"a.txt": b"hallo", "dir/b.txt": b"x" * 1000}), _odt(), _ooxml("xl")):
        inspect_zip(write(data), ZipLimits())


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    block = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("zeros.bin", "w") as entry,
    ):
        for _ in range(50):
            entry.write(block)
    assert path.stat().st_size < 500_000
    with pytest.raises(Invalid) as exc:
        inspect_zip(path, ZipLimits())
    assert _code(exc) == "zip_ratio"


def test_many_small_bombs_are_refused_by_overall_ratio(tmp_path: Path) -> None:
    path = tmp_path / "spread.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for i in range(20):
            zf.writestr(f"part{i}.bin", bytes(512 * 1024))  # each below ratio_min_size
    with pytest.raises(Invalid) as exc:
        inspect_zip(path, ZipLimits())
    assert _code(exc) == "zip_ratio"


def test_total_uncompressed_size_is_limited(write: Write) -> None:
    data = _zip({"a.bin": bytes(range(256)) * 8, "b.bin": bytes(range(256)) * 8})
    with pytest.raises(Invalid) as exc:
        inspect_zip(write(data), ZipLimits(max_total_size=3000))
    assert _code(exc) == "zip_too_large"


def test_too_many_entries(write: Write) -> None:
    data = _zip({f"f{i}.txt": b"x" for i in range(1001)})
    with pytest.raises(Invalid) as exc:
        inspect_zip(write(data), ZipLimits())
    assert _code(exc) == "zip_too_many_entries"
    inspect_zip(write(_zip({f"f{i}.txt": b"x" for i in range(1000)})), ZipLimits())


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "a/../../b", "/abs", "C:\\x", "C:/x", "dir\\..\\x", "a\x01b", ".."],
)
def test_zip_slip_is_refused(write: Write, name: str) -> None:
    data = _zip({"ok.txt": b"x", name: b"evil"})
    with pytest.raises(Invalid) as exc:
        inspect_zip(write(data), ZipLimits())
    assert _code(exc) == "zip_path"


def test_symlink_entries_are_refused(write: Write) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(Invalid) as exc:
        inspect_zip(write(buf.getvalue()), ZipLimits())
    assert _code(exc) == "zip_path"


def test_nested_zip_is_refused(write: Write) -> None:
    data = _zip({"readme.txt": b"x", "inner/Archiv.ZIP": _zip({"a.txt": b"y"})})
    with pytest.raises(Invalid) as exc:
        inspect_zip(write(data), ZipLimits())
    assert _code(exc) == "zip_nested"


def test_office_embeddings_are_nested_unless_allowed(write: Write) -> None:
    path = write(_ooxml("word", {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": _ooxml("xl")}))
    with pytest.raises(Invalid) as exc:
        verify(path, claimed_name="Bericht.docx", claimed_type=None, allow_zip=False)
    assert _code(exc) == "zip_nested"
    limits = ZipLimits(allow_office_embeddings=True)
    found = verify(
        path, claimed_name="Bericht.docx", claimed_type=None, allow_zip=False, limits=limits
    )
    assert found.kind == "docx"
    evil = write(_ooxml("word", {"word/embeddings/x.zip": _zip({"a": b"b"})}))
    with pytest.raises(Invalid) as exc:
        inspect_zip(evil, limits)
    assert _code(exc) == "zip_nested"


def _set_encrypted_flag(data: bytes) -> bytes:
    """zipfile cannot write encrypted entries: set bit 0 of the flags in both headers."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = out.find(signature)
        while pos != -1:
            (flags,) = struct.unpack_from("<H", out, pos + offset)
            struct.pack_into("<H", out, pos + offset, flags | 0x1)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def test_encrypted_entries_are_refused(write: Write) -> None:
    path = write(_set_encrypted_flag(_zip({"secret.txt": b"geheim"})))
    with pytest.raises(Invalid) as exc:
        inspect_zip(path, ZipLimits())
    assert _code(exc) == "zip_encrypted"


def test_encrypted_odt_is_not_read_and_not_accepted(write: Write) -> None:
    path = write(_set_encrypted_flag(_odt()))
    assert detect(path).kind == "zip"
    with pytest.raises(Invalid) as exc:
        verify(path, claimed_name="x.zip", claimed_type=None, allow_zip=True)
    assert _code(exc) == "zip_encrypted"


def test_broken_zip_is_invalid(write: Write) -> None:
    path = write(b"PK\x03\x04" + b"\x00" * 100)
    assert detect(path).kind == "unknown"
    with pytest.raises(Invalid) as exc:
        inspect_zip(path, ZipLimits())
    assert _code(exc) == "zip_invalid"
