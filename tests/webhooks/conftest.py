"""The app for the webhook tests: its own delivery worker off (the tests step one).

As in production: https only, and no non-public network open to endpoints.
"""

from __future__ import annotations

import pytest

from app.settings import WebhookSettings
from tests.conftest import make_settings
from tests.servers import running


@pytest.fixture
async def app(database, tmp_path):  # type: ignore[no-untyped-def]
    from app import create_app

    webhooks = WebhookSettings(enabled=False, require_https=True, private_networks=[])
    settings = make_settings(tmp_path, webhooks=webhooks)
    application = create_app(settings, engine=database)
    async with running(application):
        yield application
