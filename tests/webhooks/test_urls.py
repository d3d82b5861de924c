"""Subscription URLs: absolute http(s), https where required, no credentials; settings."""

from __future__ import annotations

import pytest

from app.settings import AppSettings, Settings, SettingsError, WebhookSettings, load_settings
from rooms.kernel.errors import Invalid
from rooms.outbound.webhooks.deliveries import retry_delay
from rooms.outbound.webhooks.urls import URL_PROBLEMS, validate_url


@pytest.mark.parametrize(
    ("url", "require_https", "problem"),
    [
        ("http://fachverfahren.example/hooks", True, "url_not_https"),
        ("ftp://fachverfahren.example/hooks", False, "url_invalid"),
        ("/relative/hooks", False, "url_invalid"),
        ("https://", False, "url_invalid"),
        ("https://exa mple.de/h", False, "url_invalid"),
        ("https://host:99999/h", False, "url_invalid"),
        ("https://" + "a" * 64 + ".example/h", False, "url_invalid"),  # no resolver takes it
        ("https://fv..example/h", False, "url_invalid"),
        ("https://user:secret@fachverfahren.example/hooks", True, "url_credentials"),
        ("https://fachverfahren.example/" + "a" * 2000, True, "url_too_long"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url: str, require_https: bool, problem: str) -> None:
    with pytest.raises(Invalid) as refused:
        validate_url(url, require_https=require_https)
    assert refused.value.errors == {"url": problem}
    assert problem in URL_PROBLEMS


def test_good_urls_pass() -> None:
    assert validate_url(" https://fv.example:8443/h?x=1 ", require_https=True) == (
        "https://fv.example:8443/h?x=1"
    )
    assert validate_url("http://127.0.0.1:8080/h", require_https=False) == "http://127.0.0.1:8080/h"


def test_https_is_required_in_production_and_by_default_not_in_development() -> None:
    assert Settings().webhook_require_https is False
    production = Settings(app=AppSettings(mode="production"))
    assert production.webhook_require_https is True
    assert Settings(webhooks=WebhookSettings(require_https=True)).webhook_require_https is True


def test_production_refuses_to_switch_https_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    environ = {
        "ANTRAGSRAUM_APP__MODE": "production",
        "ANTRAGSRAUM_APP__SECRET_KEY": "x" * 40,
        "ANTRAGSRAUM_APP__BASE_URL": "https://portal.example",
        "ANTRAGSRAUM_SESSIONS__COOKIE_SECURE": "true",
        "ANTRAGSRAUM_IDENTITY__DEV_IDP": "false",
        "ANTRAGSRAUM_WEBHOOKS__REQUIRE_HTTPS": "false",
    }
    with pytest.raises(SettingsError, match=r"webhooks\.require_https"):
        load_settings(tmp_path / "none.toml", environ)
    del environ["ANTRAGSRAUM_WEBHOOKS__REQUIRE_HTTPS"]
    assert load_settings(tmp_path / "none.toml", environ).webhook_require_https is True


def test_the_documented_defaults_are_the_settings_defaults() -> None:
    documented = load_settings(environ={}).webhooks
    assert documented == WebhookSettings()
    assert 20 * 3600 < sum(documented.retry_delays) < 30 * 3600  # about a day


def test_the_retry_schedule_with_jitter_and_its_end() -> None:
    delays = [10.0, 60.0]
    assert retry_delay(1, delays, jitter=0.1, rand=lambda: 0.0) == pytest.approx(9.0)
    assert retry_delay(1, delays, jitter=0.1, rand=lambda: 0.5) == pytest.approx(10.0)
    assert retry_delay(2, delays, jitter=0.1, rand=lambda: 0.999999) == pytest.approx(66.0, 1e-4)
    assert retry_delay(3, delays, jitter=0.1, rand=lambda: 0.5) is None  # dead letter
