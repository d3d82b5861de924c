"""Rules of the house that a machine checks (the import contracts run with `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = [
    *sorted((ROOT / "app" / "web").glob("*.py")),
    *sorted((ROOT / "app" / "api").glob("*.py")),
]
MAX_LINES = 400
# Data, not logic: the English message catalogue is one long table.
LONGER_ON_PURPOSE = {"app/i18n_en.py"}


def _called_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def test_no_handler_publishes_or_wakes_the_scanner_by_hand() -> None:
    """Side effects follow from the facts an action records, after commit, by construction."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(_called_names(path) & {"publish", "wake_scanner"})
        for path in HANDLERS
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_modules_stay_small() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for package in ("app", "rooms")
        for path in (ROOT / package).rglob("*.py")
        if "piccolo_migrations" not in path.parts
    }
    too_long = {
        name: lines
        for name, lines in sizes.items()
        if lines > MAX_LINES and name not in LONGER_ON_PURPOSE
    }
    assert too_long == {}


def test_actions_take_one_principal_and_have_no_machine_twins() -> None:
    """One action for a person and for a case store alike (no ``*_by_client`` twins)."""
    twins = [
        f"{path.relative_to(ROOT)}:{node.name}"
        for path in (ROOT / "rooms").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        and (node.name.endswith("_by_client") or node.name.endswith("_for_client_writing"))
    ]
    assert twins == []
