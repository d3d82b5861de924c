"""File storage for attachments: the filesystem (embedded default) or S3-compatible.

``make_storage(settings)`` builds the backend named by ``[storage] backend``.
"""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings, SettingsError, StorageSettings
from app.storage.base import NotStored, Storage, check_key
from app.storage.filesystem import FileStorage

__all__ = ["FileStorage", "NotStored", "Storage", "check_key", "make_storage"]


def make_storage(settings: Settings | StorageSettings) -> Storage:
    """The storage backend that ``settings`` (the app's, or its ``storage`` part) name."""
    conf = settings.storage if isinstance(settings, Settings) else settings
    if conf.backend == "filesystem":
        return FileStorage(Path(conf.path))
    if conf.backend == "s3":
        if not conf.s3_bucket:
            raise SettingsError("storage.s3_bucket must be set for the s3 backend")
        from app.storage.s3 import S3Storage

        try:
            return S3Storage(
                endpoint_url=conf.s3_endpoint_url,
                bucket=conf.s3_bucket,
                region=conf.s3_region,
                access_key=conf.s3_access_key,
                secret_key=conf.s3_secret_key,
                prefix=conf.s3_prefix,
                server_side_encryption=conf.s3_server_side_encryption,
                sse_kms_key_id=conf.s3_sse_kms_key_id,
            )
        except ValueError as exc:
            raise SettingsError(f"storage: {exc}") from exc
    raise SettingsError(f"unknown storage backend {conf.backend!r}")
