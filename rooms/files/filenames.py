"""Safe names for uploaded files: for display, and for the download header.

The name a browser sends is untrusted text. ``display_name`` turns any string into a
short, printable, single-line base name and never refuses; ``content_disposition``
builds the RFC 6266 header with an ASCII fallback and the exact UTF-8 name (RFC 8187,
formerly RFC 5987). Files are stored under generated keys, never under these names.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

MAX_LENGTH = 120
FALLBACK = "Datei"
_MAX_EXTENSION = 10  # characters after the dot that still count as an extension

# Characters dropped entirely: controls, format characters (bidi overrides, zero-width
# characters, BOM), surrogates. Line and paragraph separators become spaces first.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_GERMAN_SZ = str.maketrans({"ß": "ss", "ẞ": "SS"})
_ASCII_UNSAFE = frozenset('"\\%;/')


def display_name(raw: str) -> str:
    """A safe base name for ``raw``: never empty, at most ``MAX_LENGTH`` characters.

    NFC; only the last path component (``/`` and ``\\`` both separate); whitespace of
    any kind (CR, LF, tab, U+2028 …) collapsed to single spaces; control and format
    characters (including bidi overrides such as U+202E) removed; leading and trailing
    dots and spaces stripped; Windows device names prefixed with ``_``; shortened to
    ``MAX_LENGTH`` characters keeping the extension; ``"Datei"`` if nothing is left.
    """
    text = unicodedata.normalize("NFC", raw)
    text = "".join(" " if _is_space(ch) else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    parts = [part for part in text.replace("\\", "/").split("/") if part.strip(". ")]
    text = parts[-1] if parts else ""
    text = " ".join(text.split())
    text = _strip(unicodedata.normalize("NFC", text))
    stem, extension = _split_extension(text)
    if stem.split(".", 1)[0].strip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    name = _shorten(stem, extension)
    # Cutting a name without extension can expose one (a suffix that was too long to
    # count is now short enough), with blanks before its dot: cut around it again.
    stem, extension = _split_extension(name)
    if extension and stem != _strip(stem):
        name = _shorten(_strip(stem), extension)
    return name or FALLBACK


def content_disposition(name: str) -> str:
    """``attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>``.

    ``name`` passes through ``display_name`` first. The quoted ASCII fallback (for old
    clients) contains printable ASCII only, never ``"``, ``\\``, ``/``, ``%`` or ``;`` (those
    and everything non-ASCII become ``_``; German umlauts are transliterated, other
    accents dropped). ``filename*`` percent-encodes the UTF-8 bytes of the safe name.
    Always ``attachment``: nothing an uploader sent is rendered in the portal's origin.
    """
    safe = display_name(name)
    return (
        f"attachment; filename=\"{_ascii_fallback(safe)}\"; filename*=UTF-8''{quote(safe, safe='')}"
    )


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _strip(text: str) -> str:
    return text.strip(". ")


def _split_extension(name: str) -> tuple[str, str]:
    """``("Bescheid", ".pdf")``; no extension if the suffix is long or contains a space."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or not suffix or len(suffix) > _MAX_EXTENSION or " " in suffix:
        return name, ""
    return stem, "." + suffix


def _shorten(stem: str, extension: str) -> str:
    """Join stem and extension within ``MAX_LENGTH``, cutting the stem, staying NFC."""
    room = MAX_LENGTH - len(extension)
    while True:
        cut = _strip(stem[:room])
        name = cut + extension if cut else _strip(extension)
        name = unicodedata.normalize("NFC", name)
        if len(name) <= MAX_LENGTH:
            return name
        room -= 1


def _ascii_fallback(name: str) -> str:
    stem, extension = _split_extension(name)
    stem, extension = _to_ascii(stem), _to_ascii(extension)
    if not any(ch.isalnum() for ch in stem):
        stem = FALLBACK
    return stem + extension


def _to_ascii(text: str) -> str:
    text = text.translate(_GERMAN).translate(_GERMAN_SZ)
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if " " <= ch <= "~" and ch not in _ASCII_UNSAFE:
            out.append(ch)
        else:
            out.append("_")
    return "".join(out)
