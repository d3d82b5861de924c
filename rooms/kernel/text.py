"""What no stored text may hold: NUL (U+0000).

PostgreSQL's ``text`` refuses it (the driver raises) and SQLite would store it as it
is, so every action that keeps a person's text refuses it with the field's
``invalid_characters`` (the form again, the message at the field). The request's own
checks (``app.text_input``) stop it in JSON and query strings before an action runs;
a form's NUL reaches the action, which knows the field.
"""

from __future__ import annotations

INVALID_CHARACTERS = "invalid_characters"


def holds_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)
