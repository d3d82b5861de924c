"""The access log of ``antragsraum serve``, without the secrets some URLs carry.

uvicorn logs every request line with its query string. Some of ours carry secrets:
the OpenID Connect callback (``code``, ``state``), the development IdP's logout
(``id_token_hint``) and the no-JavaScript upload forms (``csrf``). A filter on the
``uvicorn.access`` logger replaces their values before a line is written; uvicorn has
no option for this, and a logging filter is the standard library's way.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

SECRET_PARAMS = ("code", "state", "session_state", "id_token_hint", "csrf", "token")
_SECRET = re.compile(rf"([?&](?:{'|'.join(SECRET_PARAMS)})=)[^&#\s]*")
REDACTED = "[redacted]"


def redact(path: str) -> str:
    """``path`` with the values of secret query parameters replaced."""
    return _SECRET.sub(lambda m: m.group(1) + REDACTED, path)


class RedactSecrets(logging.Filter):
    """For uvicorn's access records: ``args`` = (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = redact(str(args[2]))
            record.args = tuple(args)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the filter on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": f"{__name__}.RedactSecrets"}
    config["handlers"]["access"]["filters"] = ["redact_secrets"]
    return config
