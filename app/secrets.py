"""The application secret: from settings, or generated once for development."""

from __future__ import annotations

import secrets

from app.settings import Settings


def app_secret(settings: Settings) -> str:
    if settings.app.secret_key:
        return settings.app.secret_key
    # Development only (production refuses to start without one): persist a random
    # secret in the data directory so sessions survive a restart.
    path = settings.data_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
