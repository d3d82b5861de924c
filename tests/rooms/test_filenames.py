"""Safe display names and Content-Disposition headers (property-based, no database)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rooms.files.filenames import MAX_LENGTH, content_disposition, display_name

HEADER = re.compile(
    r"^(?P<disposition>attachment); "
    r'filename="(?P<ascii>[^"]*)"; '
    r"filename\*=UTF-8''(?P<encoded>[A-Za-z0-9!#$&+\-.^_`|~%]*)$"
)

_TRICKY = [
    "/",
    "\\",
    ".",
    " ",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x1b",
    "\x85",
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\u00a0",
    "e",
    "\u0301",
    "a",
    "\u0308",
    "ä",
    "ß",
    "😀",
    "\u200d",
    "%",
    '"',
    ";",
    "＂",
    "／",
    "Ｃ",
    "\ud800",
    "C",
    "O",
    "N",
    "x",
]
names = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(_TRICKY), max_size=60),
    st.lists(st.sampled_from([*_TRICKY, "pdf", "CON", "..", "../"]), max_size=80).map("".join),
    st.text(min_size=100, max_size=400),
    st.builds(lambda a, b: a + "." + b, st.text(min_size=110, max_size=300), st.text(max_size=8)),
)


def _assert_safe(name: str) -> None:
    assert name
    assert len(name) <= MAX_LENGTH
    assert unicodedata.is_normalized("NFC", name)
    assert "/" not in name and "\\" not in name
    assert "\r" not in name and "\n" not in name and "\x00" not in name
    for ch in name:
        assert unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Zl", "Zp"}, repr(ch)
    assert not name.startswith((".", " "))
    assert not name.endswith((".", " "))
    assert "  " not in name


@settings(max_examples=500)
@given(names)
@example("0" * 108 + "\r." + "0" * 11)  # the cut exposes an extension after a blank
def test_display_name_is_always_safe(raw: str) -> None:
    name = display_name(raw)
    _assert_safe(name)
    assert display_name(name) == name


@settings(max_examples=500)
@given(names)
def test_content_disposition_is_a_safe_header_that_round_trips(raw: str) -> None:
    header = content_disposition(raw)
    match = HEADER.match(header)
    assert match, header
    fallback = match["ascii"]
    assert fallback
    assert all(" " <= ch <= "~" for ch in fallback)
    assert not set(fallback) & set('"\\%;/')
    assert unquote(match["encoded"], errors="strict") == display_name(raw)
    assert header.isascii() and "\r" not in header and "\n" not in header


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bescheid.pdf", "Bescheid.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\Erika\\Desktop\\Antrag 2024.pdf", "Antrag 2024.pdf"),
        ("scan.pdf\r\nSet-Cookie: a=b", "scan.pdf Set-Cookie: a=b"),
        ('x.pdf"\r\n\r\n<script>', 'x.pdf" <script>'),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),
        ("\u200b\ufeffunsichtbar.txt", "unsichtbar.txt"),
        ("  ...  .bashrc", "bashrc"),
        ("..", "Datei"),
        ("", "Datei"),
        ("\x00\x01\x02", "Datei"),
        ("/", "Datei"),
        ("Urlaub 🏖️.jpg", "Urlaub 🏖️.jpg"),
        ("Cafe\u0301 Mu\u0308ller.pdf", "Café Müller.pdf"),
        ("a \t\u00a0\u2028 b.txt", "a b.txt"),
        ("CON.txt", "_CON.txt"),
        ("bericht.pdf. . ", "bericht.pdf"),
    ],
)
def test_display_name_examples(raw: str, expected: str) -> None:
    assert display_name(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = display_name("Ä" * 300 + ".pdf")
    assert len(name) == MAX_LENGTH
    assert name.endswith("Ä.pdf")
    assert display_name("a" * 300) == "a" * MAX_LENGTH


def test_combining_characters_are_not_split_from_nfc() -> None:
    name = display_name("x" * 118 + "e\u0301\u0301\u0301.pdf")
    assert unicodedata.is_normalized("NFC", name)
    assert len(name) <= MAX_LENGTH
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    ("raw", "header"),
    [
        (
            "Bescheid.pdf",
            "attachment; filename=\"Bescheid.pdf\"; filename*=UTF-8''Bescheid.pdf",
        ),
        (
            "Änderungsbescheid für Straße.pdf",
            'attachment; filename="Aenderungsbescheid fuer Strasse.pdf"; '
            "filename*=UTF-8''%C3%84nderungsbescheid%20f%C3%BCr%20Stra%C3%9Fe.pdf",
        ),
        (
            'a"b%c;d.txt',
            "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%25c%3Bd.txt",
        ),
        (
            "日本語.pdf",
            "attachment; filename=\"Datei.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf",
        ),
        (
            "rechnung\u202efdp.exe",
            "attachment; filename=\"rechnungfdp.exe\"; filename*=UTF-8''rechnungfdp.exe",
        ),
        (
            "x\r\nContent-Type: text",
            'attachment; filename="x Content-Type: text"; '
            "filename*=UTF-8''x%20Content-Type%3A%20text",
        ),
    ],
)
def test_content_disposition_examples(raw: str, header: str) -> None:
    assert content_disposition(raw) == header


def test_there_is_no_inline_disposition() -> None:
    with pytest.raises(TypeError):
        content_disposition("Foto.jpg", inline=True)  # type: ignore[call-arg]
