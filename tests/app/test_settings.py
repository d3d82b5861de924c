"""The settings loader: file, environment overrides, and the production guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_file_loads_with_the_embedded_defaults() -> None:
    settings = load_settings(ROOT / "litestar.toml", environ={})
    assert settings.database.url.startswith("sqlite:///")
    assert settings.live.backend == "memory"
    assert settings.identity.dev_idp is True
    assert settings.messages.max_length == 20_000
    assert settings.uploads.max_base64_mb == 5


def test_environment_variables_override_the_file() -> None:
    settings = load_settings(
        ROOT / "litestar.toml",
        environ={
            "ANTRAGSRAUM_DATABASE__URL": "postgresql://u@db/x",
            "ANTRAGSRAUM_APP__PORT": "9000",
            "ANTRAGSRAUM_SESSIONS__COOKIE_SECURE": "true",
            "ANTRAGSRAUM_LIVE__ALLOWED_ORIGINS": '["https://a.example"]',
        },
    )
    assert settings.database.url == "postgresql://u@db/x"
    assert settings.app.port == 9000
    assert settings.sessions.cookie_secure is True
    assert settings.live.allowed_origins == ["https://a.example"]


def test_unknown_keys_and_bad_values_are_refused_with_the_place_named(tmp_path: Path) -> None:
    config = tmp_path / "litestar.toml"
    config.write_text('[app]\nport = "many"\n')
    with pytest.raises(SettingsError, match=r"app\.port"):
        load_settings(config, environ={})
    config.write_text("[app]\nprot = 1\n")
    with pytest.raises(SettingsError, match="prot"):
        load_settings(config, environ={})


def test_production_refuses_unsafe_settings(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(tmp_path / "missing.toml", environ={"ANTRAGSRAUM_APP__MODE": "production"})
    message = str(excinfo.value)
    for problem in ("dev_idp", "secret_key", "cookie_secure", "https"):
        assert problem in message


def test_production_starts_with_safe_settings(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / "missing.toml",
        environ={
            "ANTRAGSRAUM_APP__MODE": "production",
            "ANTRAGSRAUM_APP__SECRET_KEY": "s" * 40,
            "ANTRAGSRAUM_APP__BASE_URL": "https://antragsraum.example",
            "ANTRAGSRAUM_SESSIONS__COOKIE_SECURE": "true",
            "ANTRAGSRAUM_IDENTITY__DEV_IDP": "false",
        },
    )
    assert settings.production
    assert settings.public_origin == "https://antragsraum.example"


def test_trusted_proxies_are_addresses_or_ranges(tmp_path: Path) -> None:
    assert load_settings(ROOT / "litestar.toml", environ={}).app.trusted_proxies == []
    named = load_settings(
        ROOT / "litestar.toml",
        environ={"ANTRAGSRAUM_APP__TRUSTED_PROXIES": '["10.0.0.10", "2001:db8::/64"]'},
    )
    assert named.app.trusted_proxies == ["10.0.0.10", "2001:db8::/64"]
    with pytest.raises(SettingsError, match=r"app\.trusted_proxies.*proxy\.local"):
        load_settings(
            ROOT / "litestar.toml",
            environ={"ANTRAGSRAUM_APP__TRUSTED_PROXIES": '["proxy.local"]'},
        )
