"""Every German UI text has an English translation in app/i18n_en.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n_en import EN

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# _("…") / _('…') and ngettext("…", "…", n): the literal source strings of the templates.
_STRING = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
GETTEXT = re.compile(r"(?<![\w.])_\(\s*" + _STRING)
NGETTEXT = re.compile(r"(?<![\w.])ngettext\(\s*" + _STRING + r"\s*,\s*" + _STRING)
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def template_strings() -> dict[str, str]:
    """Source string -> the template it was first found in."""
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(TEMPLATES))
        for match in GETTEXT.finditer(text):
            found.setdefault(match.group(1) or match.group(2), name)
        for match in NGETTEXT.finditer(text):
            found.setdefault(match.group(1) or match.group(2), name)
            found.setdefault(match.group(3) or match.group(4), name)
    return found


def code_strings() -> dict[str, str]:
    """Texts chosen in code and translated by the templates with _(variable)."""
    from app.errors import TRUST_LABELS
    from app.identity import DEV_PROVIDER_LABEL, texts
    from app.identity.personas import PERSONAS

    found = {DEV_PROVIDER_LABEL: "app/identity/__init__.py"}
    found.update(dict.fromkeys(TRUST_LABELS.values(), "app/errors.py"))
    found.update({p.description: "app/identity/personas.py" for p in PERSONAS})
    for name, value in vars(texts).items():
        if name.startswith("_"):
            continue
        values = value.values() if isinstance(value, dict) else [value]
        found.update({v: "app/identity/texts.py" for v in values if isinstance(v, str)})
    return found


def test_the_extraction_finds_the_templates_strings() -> None:
    strings = template_strings()
    assert len(strings) > 50
    assert strings["Ihre Nachricht"] == "_composer.html"
    assert "ungelesene Nachrichten" in strings  # from ngettext
    assert "Hauptnavigation" in strings  # single quotes


@pytest.mark.parametrize("source", ["templates", "code"])
def test_every_ui_string_has_an_english_translation(source: str) -> None:
    strings = template_strings() if source == "templates" else code_strings()
    missing = [f"{where}: {text!r}" for text, where in sorted(strings.items()) if text not in EN]
    assert not missing, "No English translation in app/i18n_en.py for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    wrong = [
        f"{german!r} -> {english!r}"
        for german, english in EN.items()
        if sorted(PLACEHOLDER.findall(german)) != sorted(PLACEHOLDER.findall(english))
    ]
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)
