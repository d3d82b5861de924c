"""The one loader of the application's settings.

Settings come from ``litestar.toml`` (or the file named by ``ANTRAGSRAUM_CONFIG``) and
are overridden by environment variables named ``ANTRAGSRAUM_<SECTION>__<KEY>``, for
example ``ANTRAGSRAUM_DATABASE__URL``. Every key is documented in ``litestar.toml``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

ENV_PREFIX = "ANTRAGSRAUM_"
CONFIG_ENV = "ANTRAGSRAUM_CONFIG"
DEFAULT_CONFIG = Path("litestar.toml")


class AppSettings(msgspec.Struct, forbid_unknown_fields=True):
    mode: Literal["development", "production"] = "development"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    data_dir: str = "var"
    host: str = "127.0.0.1"
    port: int = 8000
    language: Literal["de", "en"] = "de"
    seed_demo: bool = True
    trusted_proxies: list[str] = msgspec.field(default_factory=list)
    """Reverse proxies (IP or CIDR) whose X-Forwarded-* are believed; none: no header is."""


class DatabaseSettings(msgspec.Struct, forbid_unknown_fields=True):
    url: str = "sqlite:///var/antragsraum.sqlite3"
    pool_min: int = 1
    pool_max: int = 10


class SessionSettings(msgspec.Struct, forbid_unknown_fields=True):
    backend: Literal["file", "redis", "memory"] = "file"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_namespace: str = "antragsraum_sessions"
    """For "redis": the prefix of every session key (several deployments on one Redis)."""
    cookie_name: str = "antragsraum_session"
    cookie_secure: bool = False
    idle_timeout_minutes: float = 30
    absolute_timeout_hours: float = 12


class LiveSettings(msgspec.Struct, forbid_unknown_fields=True):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = ""
    """For "redis": put before every channel name (several deployments on one Redis)."""
    allowed_origins: list[str] = msgspec.field(default_factory=list)


class ProviderSettings(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = ""
    realm: Literal["public", "staff"] = "public"
    subject_claim: str = "sub"
    scope: str = "openid profile email"
    authority: str = ""
    """For a staff provider: the slug of the one authority whose staff log in here."""
    roles_claim: str = "roles"
    role_map: dict[str, str] = msgspec.field(default_factory=dict)
    """Claim value (e.g. a group) -> caseworker / team_lead / authority_admin."""
    acr_map: dict[str, str] = msgspec.field(default_factory=dict)
    """The provider's own acr values -> normal / substantial / high."""
    client_auth: Literal["client_secret_basic", "client_secret_post", "private_key_jwt"] = (
        "client_secret_basic"
    )
    """How the app authenticates at the token endpoint."""
    private_key_file: str = ""
    """For private_key_jwt: the signing key (PEM or JWK JSON); ``kid`` from it or its thumbprint."""


class IdentitySettings(msgspec.Struct, forbid_unknown_fields=True):
    dev_idp: bool = True
    providers: list[ProviderSettings] = msgspec.field(default_factory=list)


class UploadSettings(msgspec.Struct, forbid_unknown_fields=True):
    max_file_mb: int = 25
    max_room_mb: int = 200
    max_files: int = 10
    allow_zip: bool = False
    max_base64_mb: int = 5
    """Files sent base64 in an API JSON body, decoded, all of one request together."""


class ScanningSettings(msgspec.Struct, forbid_unknown_fields=True):
    clamd_address: str = "unix:/run/clamav/clamd-antragsraum.sock"
    poll_seconds: float = 5.0
    """How often the scanner looks for files still waiting (it is also woken per upload)."""


class MessageSettings(msgspec.Struct, forbid_unknown_fields=True):
    max_length: int = 20_000


class StorageSettings(msgspec.Struct, forbid_unknown_fields=True):
    backend: Literal["filesystem", "s3"] = "filesystem"
    path: str = "var/files"
    """For the filesystem backend: the directory holding the stored files."""
    s3_endpoint_url: str = ""
    """For S3: the endpoint (empty for AWS itself), e.g. https://s3.example.org."""
    s3_bucket: str = ""
    s3_region: str = "eu-central-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_prefix: str = ""
    """For S3: a key prefix inside the bucket, e.g. "antragsraum"."""
    s3_server_side_encryption: Literal["", "AES256", "aws:kms", "aws:kms:dsse"] = ""
    """For S3: "" (the bucket's default), "AES256", "aws:kms" or "aws:kms:dsse"."""
    s3_sse_kms_key_id: str = ""
    """For S3 with "aws:kms": the KMS key id (empty for the bucket's default key)."""
    orphan_grace_seconds: float = 86400.0
    """Stored files under rooms/ that no attachment names are deleted once this old."""
    orphan_sweep_seconds: float = 3600.0
    """How often the orphan sweep runs (and once at start-up)."""


class NotificationSettings(msgspec.Struct, forbid_unknown_fields=True):
    channel: Literal["log", "smtp"] = "log"
    """E-mail goes to the log (embedded default) or to an SMTP server."""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 30.0
    from_address: str = "antragsraum@localhost"
    """The sender address; the display name is the authority's name."""
    bundid_postbox_url: str = ""
    bundid_postbox_token: str = ""
    osi_postbox_url: str = ""
    osi_postbox_token: str = ""
    """A postbox adapter is on when its URL is set."""
    reminder_days: list[int] = msgspec.field(default_factory=lambda: [3, 1])
    digest_default: Literal["off", "hourly", "daily"] = "daily"
    retry_delays_seconds: list[int] = msgspec.field(
        default_factory=lambda: [60, 300, 1800, 7200, 21600]
    )
    poll_seconds: float = 10.0


class WebhookSettings(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool = True
    """Run the delivery worker in this process (each instance may run one)."""
    poll_seconds: float = 2.0
    lease_seconds: float = 60.0
    """A claimed delivery is the worker's for this long; then another may take it."""
    timeout_seconds: float = 10.0
    batch_size: int = 20
    retry_delays: list[float] = msgspec.field(
        default_factory=lambda: [10, 60, 300, 1800, 7200, 18000, 36000, 36000]
    )
    """Seconds before each retry (about a day in total); after the last: dead letter."""
    jitter: float = 0.1
    """Each delay varies by up to this fraction either way."""
    require_https: bool | None = None
    """Subscription URLs must be https; unset: true in production, false otherwise."""
    private_networks: list[str] | None = None
    """Non-public networks (CIDR) endpoints may be in; unset: none in production, any otherwise."""


class ServerSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Slow clients and connection limits (``app.body_deadline``; uvicorn in ``serve``)."""

    body_chunk_timeout_seconds: float = 15.0
    body_min_bytes_per_second: int = 1024
    body_grace_seconds: float = 10.0
    limit_concurrency: int = 1000
    header_timeout_seconds: float = 10.0
    timeout_keep_alive: int = 5
    timeout_graceful_shutdown: int = 20
    h11_max_incomplete_event_size: int = 16384
    backlog: int = 2048


class RateLimitSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Rules ``<what>_per_<key>`` in ``limits`` notation ("20/minute;300/hour"; "" = off)."""

    enabled: bool = True
    storage: Literal["memory", "redis"] = "memory"
    redis_url: str = ""
    """For "redis": empty means the live channel's ``live.redis_url``."""
    key_prefix: str = "antragsraum-limits"
    strategy: Literal["moving-window", "fixed-window", "sliding-window-counter"] = "moving-window"
    login_per_address: str = "30/minute;300/hour"
    redeem_per_account: str = "10/hour"
    redeem_per_address: str = "30/hour"
    messages_per_person: str = "20/minute;300/hour"
    messages_per_room: str = "60/minute"
    uploads_per_person: str = "20/minute;200/hour"
    uploads_per_room: str = "40/minute"
    api_per_client: str = "600/minute"
    bearer_failures_per_address: str = "20/minute;100/hour"


class Settings(msgspec.Struct, forbid_unknown_fields=True):
    app: AppSettings = msgspec.field(default_factory=AppSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    sessions: SessionSettings = msgspec.field(default_factory=SessionSettings)
    live: LiveSettings = msgspec.field(default_factory=LiveSettings)
    identity: IdentitySettings = msgspec.field(default_factory=IdentitySettings)
    uploads: UploadSettings = msgspec.field(default_factory=UploadSettings)
    scanning: ScanningSettings = msgspec.field(default_factory=ScanningSettings)
    messages: MessageSettings = msgspec.field(default_factory=MessageSettings)
    storage: StorageSettings = msgspec.field(default_factory=StorageSettings)
    notifications: NotificationSettings = msgspec.field(default_factory=NotificationSettings)
    webhooks: WebhookSettings = msgspec.field(default_factory=WebhookSettings)
    rate_limits: RateLimitSettings = msgspec.field(default_factory=RateLimitSettings)
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)

    @property
    def production(self) -> bool:
        return self.app.mode == "production"

    @property
    def webhook_require_https(self) -> bool:
        """Subscription URLs must be https: as configured, else in production."""
        required = self.webhooks.require_https
        return self.production if required is None else required

    @property
    def webhook_private_networks(self) -> list[str] | None:
        """Non-public networks webhook endpoints may be in (``None``: any at all)."""
        configured = self.webhooks.private_networks
        if configured is not None:
            return configured
        return [] if self.production else None

    @property
    def data_path(self) -> Path:
        return Path(self.app.data_dir)

    @property
    def public_origin(self) -> str:
        """scheme://host[:port] of ``base_url``: the Origin that browsers send."""
        parts = self.app.base_url.split("/")
        return "/".join(parts[:3])


class SettingsError(ValueError):
    """Raised when settings are malformed or unsafe for the chosen mode."""


def _apply_env(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        if len(path) != 2:
            continue
        section, key = path
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise SettingsError(f"{name}: section {section!r} is not a table")
        if value.startswith(("[", "{")):
            target[key] = msgspec.json.decode(value)
        else:
            target[key] = value
    return raw


def check_production(settings: Settings) -> list[str]:
    """Reasons why these settings are unsafe for production (empty when fine)."""
    problems = []
    if settings.identity.dev_idp:
        problems.append("identity.dev_idp must be false in production")
    if len(settings.app.secret_key) < 32:
        problems.append("app.secret_key must be set (at least 32 characters) in production")
    if not settings.sessions.cookie_secure:
        problems.append("sessions.cookie_secure must be true in production")
    if not settings.app.base_url.startswith("https://"):
        problems.append("app.base_url must be an https:// URL in production")
    if settings.webhooks.require_https is False:
        problems.append("webhooks.require_https cannot be false in production")
    return problems


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ) if environ is None else environ
    if path is None:
        path = Path(environ.get(CONFIG_ENV, str(DEFAULT_CONFIG)))
    raw: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    raw = _apply_env(raw, environ)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid settings in {path}: {exc}") from exc
    for proxy in settings.app.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(
                f"app.trusted_proxies: not an address or CIDR range: {proxy!r}"
            ) from exc
    if settings.production and (problems := check_production(settings)):
        raise SettingsError("refusing to start in production mode: " + "; ".join(problems))
    return settings
