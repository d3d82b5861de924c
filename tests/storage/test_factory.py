"""make_storage and the [storage] settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError, StorageSettings, load_settings
from app.storage import FileStorage, make_storage
from app.storage.s3 import S3Storage

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_defaults_match_the_code() -> None:
    settings = load_settings(ROOT / "litestar.toml", environ={})
    assert settings.storage == StorageSettings()


def test_filesystem_is_the_default(tmp_path: Path) -> None:
    storage = make_storage(Settings())
    assert isinstance(storage, FileStorage)
    assert storage.root == Path("var/files")
    storage = make_storage(StorageSettings(path=str(tmp_path / "f")))
    assert isinstance(storage, FileStorage)
    assert storage.root == tmp_path / "f"


def test_s3_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / "absent.toml",
        environ={
            "ANTRAGSRAUM_STORAGE__BACKEND": "s3",
            "ANTRAGSRAUM_STORAGE__S3_ENDPOINT_URL": "https://s3.example.org",
            "ANTRAGSRAUM_STORAGE__S3_BUCKET": "files",
            "ANTRAGSRAUM_STORAGE__S3_ACCESS_KEY": "ak",
            "ANTRAGSRAUM_STORAGE__S3_SECRET_KEY": "sk",
            "ANTRAGSRAUM_STORAGE__S3_PREFIX": "antragsraum",
            "ANTRAGSRAUM_STORAGE__S3_SERVER_SIDE_ENCRYPTION": "aws:kms",
        },
    )
    storage = make_storage(settings)
    assert isinstance(storage, S3Storage)
    assert storage.bucket == "files"
    assert storage.prefix == "antragsraum"
    assert "sk" not in repr(storage)


def test_bad_storage_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        make_storage(StorageSettings(backend="s3"))
    with pytest.raises(SettingsError):
        make_storage(StorageSettings(backend="s3", s3_bucket="b", s3_prefix="a/../b"))
    with pytest.raises(SettingsError):
        load_settings(tmp_path / "absent.toml", environ={"ANTRAGSRAUM_STORAGE__BACKEND": "ftp"})
    with pytest.raises(SettingsError):
        load_settings(
            tmp_path / "absent.toml",
            environ={"ANTRAGSRAUM_STORAGE__S3_SERVER_SIDE_ENCRYPTION": "rot13"},
        )
