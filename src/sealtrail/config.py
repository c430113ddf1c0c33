"""Settings: the only place that reads the environment."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of a Sealtrail process; `SEALTRAIL_<NAME>` in the environment or `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="SEALTRAIL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default=Path("./data"), description="Where local state lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in the data directory."
    )
    broker_url: str | None = Field(
        default=None, description="Queue URL; default: SQLite queue file in the data directory."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="URL printed and used in links.")

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "console"] = "json"

    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL", description="SQLite fsync policy for the database and the queue."
    )
    sqlite_worker_cache_mb: int = Field(
        default=512,
        ge=16,
        le=65_536,
        description="Page cache of each of the trail worker's SQLite connections.",
    )

    queue_visibility_timeout: float = Field(default=300.0, gt=0)
    queue_max_deliveries: int = Field(default=5, ge=1)
    queue_retention_days: float = Field(
        default=14.0,
        gt=0,
        description="Age past which a dead letter (kept until replayed) is a /readyz warning.",
    )
    worker_batch_size: int = Field(default=100, ge=1, le=10_000)
    worker_max_batch_size: int = Field(
        default=40_000, ge=1, le=100_000, description="Largest batch under a backlog."
    )
    worker_poll_interval: float = Field(default=0.2, gt=0)
    worker_mode: Literal["process", "thread"] = Field(
        default="process",
        description="`sealtrail up`: workers in a child process (own core) or in threads.",
    )
    worker_retry_delay: float = Field(default=5.0, ge=0)

    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body of every route but ingest."
    )
    ingest_max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    ingest_max_batch: int = Field(default=1000, ge=1)
    ingest_max_future_skew: float = Field(default=300.0, ge=0)

    read_timeout_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="Seconds one read statement of the API may run."
    )
    read_max_concurrent: int = Field(
        default=4, ge=1, le=200, description="Reads one API process runs at once."
    )
    read_wait_seconds: float = Field(
        default=2.0, gt=0, le=60, description="Seconds a read waits for a free read slot."
    )

    postgres_partitions_ahead: int = Field(default=3, ge=1, le=36)

    ledger_origin: str | None = Field(
        default=None,
        pattern=r"^[^\s+]+$",
        description="Instance origin of checkpoints; default: generated on first start.",
    )
    checkpoint_interval: float = Field(default=5.0, gt=0)

    stream_poll_interval: float = Field(
        default=0.5, gt=0, description="Seconds between the live tail's looks at the store."
    )
    stream_keepalive: float = Field(
        default=15.0, gt=0, description="Seconds between live-tail comments and credential checks."
    )
    stream_batch: int = Field(
        default=500, ge=1, le=10_000, description="Ledger leaves one live-tail read covers."
    )
    stream_max_per_caller: int = Field(
        default=10, ge=1, le=1000, description="Live tails one person or API key may hold open."
    )
    web_dir: Path | None = Field(
        default=None, description="The built web UI; default: web/dist of the source tree."
    )

    admin_email: str = Field(
        default="admin@example.com", description="Email of the first admin user (first start)."
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="HS256 secret of access tokens; default: generated into the data directory.",
    )
    access_token_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    refresh_token_days: float = Field(default=14.0, gt=0, le=365)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: float = Field(default=900.0, gt=0)

    ingest_rate_per_key: float = Field(
        default=20_000.0, gt=0, description="Events per second an API key may send."
    )
    ingest_burst_per_key: float = Field(default=40_000.0, gt=0)
    login_rate_per_ip: float = Field(
        default=10 / 60, gt=0, description="Login attempts per second from one IP address."
    )
    login_burst_per_ip: float = Field(default=10.0, ge=1)

    endpoint_allowlist: str = Field(
        default="",
        description="Comma-separated hosts, host:port or CIDRs a cloud account's endpoint_url "
        "may reach although they are not public (e.g. a local moto or LocalStack).",
    )

    oidc_issuer: str | None = Field(default=None, description="OpenID provider issuer URL.")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str | None = Field(
        default=None, description="Default: <public URL>/api/v1/auth/oidc/callback."
    )
    oidc_scopes: str = "openid email profile"
    oidc_tenant: str = Field(default="default", description="Tenant OIDC users belong to.")
    oidc_role_claim: str = Field(default="sealtrail_role", description="Claim naming the role.")
    oidc_default_role: Literal["admin", "analyst", "auditor"] | None = Field(
        default="auditor", description="Role when the claim is absent; none: refuse the login."
    )

    @field_validator("oidc_default_role", mode="before")
    @classmethod
    def _no_default_role(cls, value: object) -> object:
        # From the environment, "none" or an empty value means: refuse such logins.
        if isinstance(value, str) and value.strip().lower() in ("", "none"):
            return None
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sealtrail.db').resolve()}"

    @cached_property
    def resolved_broker_url(self) -> str:
        """The queue URL, defaulting to a SQLite queue file in the data directory."""
        if self.broker_url:
            return self.broker_url
        return f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"

    @cached_property
    def resolved_web_dir(self) -> Path:
        """The web UI's directory, defaulting to `web/dist` beside the package's source."""
        if self.web_dir is not None:
            return self.web_dir
        return Path(__file__).resolve().parents[2] / "web" / "dist"

    def ensure_data_dir(self) -> Path:
        """Create the data directory (mode 0700) if missing and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.data_dir


def load_settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    """Read settings from the environment, then apply explicit overrides (CLI flags)."""
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
