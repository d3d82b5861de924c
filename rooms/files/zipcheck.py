"""Dangerous ZIP archives, refused from the central directory alone: nothing is extracted.

Bombs (too many entries, too large, too high a compression ratio), zip slip (absolute
paths, ``..``, backslashes, drive letters, control characters, symlinks and other
special files), nesting (an entry named like an archive) and encryption.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rooms.kernel.errors import Invalid


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Limits for ``inspect_zip``; sizes in bytes (uncompressed, as the directory says).

    ``ratio_min_size``: the compression ratio is only judged for entries (and archives)
    at least this large, since small, repetitive files legitimately compress very well.
    ``allow_office_embeddings``: permit Office packages embedded by Word/Excel (e.g. the
    workbook behind a chart, ``word/embeddings/*.xlsx``); other nested archives stay
    refused.
    """

    max_entries: int = 1000
    max_total_size: int = 200 * 1024 * 1024
    max_ratio: float = 100.0
    ratio_min_size: int = 1024 * 1024
    allow_office_embeddings: bool = False


_NESTED_ARCHIVE_SUFFIXES = (
    ".zip",
    ".jar",
    ".war",
    ".apk",
    ".ipa",
    ".docx",
    ".docm",
    ".xlsx",
    ".xlsm",
    ".pptx",
    ".pptm",
    ".odt",
    ".ods",
    ".odp",
    ".epub",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".cab",
    ".iso",
    ".zst",
    ".lz",
    ".lzma",
)
_OFFICE_EMBEDDING_DIRS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")
_OFFICE_PACKAGE_SUFFIXES = (".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm")


def inspect_zip(path: Path, limits: ZipLimits | None = None) -> None:
    """Refuse a dangerous ZIP from its central directory alone; nothing is extracted.

    Raises ``Invalid({"file": code})`` with, in the order they are tried:
    ``zip_invalid`` (no readable central directory), ``zip_too_many_entries``,
    then per entry ``zip_encrypted``, ``zip_path`` (absolute path, ``..``, backslash,
    drive letter, control character, symlink or other special file), ``zip_nested``
    (an entry named like an archive), ``zip_ratio``; then for the whole archive
    ``zip_too_large`` and ``zip_ratio`` (total uncompressed size / size on disk).
    """
    limits = limits or ZipLimits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise Invalid({"file": "zip_invalid"}) from exc
    if len(infos) > limits.max_entries:
        raise Invalid({"file": "zip_too_many_entries"})
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Invalid({"file": "zip_encrypted"})
        if _unsafe_entry(info):
            raise Invalid({"file": "zip_path"})
        if _nested_archive(info.filename, limits):
            raise Invalid({"file": "zip_nested"})
        if info.file_size >= limits.ratio_min_size and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise Invalid({"file": "zip_ratio"})
        total += info.file_size
    if total > limits.max_total_size:
        raise Invalid({"file": "zip_too_large"})
    on_disk = max(os.path.getsize(path), 1)
    if total >= limits.ratio_min_size and total > limits.max_ratio * on_disk:
        raise Invalid({"file": "zip_ratio"})


def _unsafe_entry(info: zipfile.ZipInfo) -> bool:
    """Would writing this entry escape the target folder or create something special?"""
    for name in (info.orig_filename, info.filename):
        if not name or name.startswith("/") or "\\" in name:
            return True
        if len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
            return True
        if any(part == ".." for part in name.split("/")):
            return True
        if any(unicodedata.category(ch) == "Cc" for ch in name):
            return True
    mode = info.external_attr >> 16
    file_type = stat.S_IFMT(mode)
    return file_type not in (0, stat.S_IFREG, stat.S_IFDIR)


def _nested_archive(name: str, limits: ZipLimits) -> bool:
    lower = name.lower()
    if not lower.endswith(_NESTED_ARCHIVE_SUFFIXES):
        return False
    return not (
        limits.allow_office_embeddings
        and lower.startswith(_OFFICE_EMBEDDING_DIRS)
        and lower.endswith(_OFFICE_PACKAGE_SUFFIXES)
    )
